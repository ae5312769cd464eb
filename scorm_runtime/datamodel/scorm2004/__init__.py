"""The SCORM 2004 data model (2nd, 3rd and 4th editions), RTE 4th ed. §4.2-§4.4."""

from functools import cache

from ... import vocab as v
from .._core import DataModel
from .adl import adl_collections, adl_elements
from .comments import COMMENT_COLLECTIONS, comment_elements
from .interactions import INTERACTION_COLLECTIONS, interaction_elements
from .objectives import objective_elements, objective_structure
from .preferences import PREFERENCE_GROUPS, preference_elements
from .progress import PROGRESS_GROUPS, progress_elements
from .session import session_elements

__all__ = ["scorm2004_model"]


@cache
def scorm2004_model(edition: str) -> DataModel:
    """Return the data model of a SCORM 2004 ``edition``.

    Raises:
        ValueError: if ``edition`` is not a SCORM 2004 edition.
    """
    if edition not in v.SCORM_2004_EDITIONS:
        raise ValueError(f"unknown SCORM version {edition!r}")
    objective_groups, objectives = objective_structure(edition)
    return DataModel(
        version=edition,
        version_value="1.0",
        elements=(
            *session_elements(edition),
            *progress_elements(),
            *preference_elements(),
            *objective_elements(edition),
            *interaction_elements(),
            *comment_elements(),
            *adl_elements(edition),
        ),
        groups=(*PROGRESS_GROUPS, *PREFERENCE_GROUPS, *objective_groups),
        collections=(
            objectives,
            *INTERACTION_COLLECTIONS,
            *COMMENT_COLLECTIONS,
            *adl_collections(edition),
        ),
    )
