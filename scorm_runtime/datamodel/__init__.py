"""The CMI data models: element tables of SCORM 1.2 and SCORM 2004 (2nd-4th ed.)."""

from ._core import Collection, DataModel, Element, Group
from .scorm12 import SCORM12_MODEL
from .scorm2004 import scorm2004_model

__all__ = [
    "SCORM12_MODEL",
    "Collection",
    "DataModel",
    "Element",
    "Group",
    "model_for",
    "scorm2004_model",
]


def model_for(version: str) -> DataModel:
    """Return the data model of ``version`` (a value of ``vocab.VERSIONS``).

    Raises:
        ValueError: for an unknown version.
    """
    if version == SCORM12_MODEL.version:
        return SCORM12_MODEL
    return scorm2004_model(version)
