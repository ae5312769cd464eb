"""Shared structures of the element tables: elements, groups and collections."""

from dataclasses import dataclass

from ..validation import Spec


@dataclass(frozen=True)
class Element:
    """One data model element, its path with ``n`` for every collection index.

    Attributes:
        path: e.g. ``cmi.interactions.n.objectives.n.id``.
        access: ``RO``, ``WO`` or ``RW``.
        type: the JSON type spec of the value.
        default: the value before anything is stored; None means "not initialized"
            (SCORM 2004 error 403, SCORM 1.2 an empty string).
        requires: element paths that must hold a value before this one may be set
            (SCORM 2004 error 408), with ``n`` filled from this element's indices.
        unique: the value must differ from the same element at the other indices of
            its innermost collection.
        immutable: once stored, only the same value may be set again.
    """

    path: str
    access: str
    type: Spec
    default: str | None = None
    requires: tuple[str, ...] = ()
    unique: bool = False
    immutable: bool = False


@dataclass(frozen=True)
class Group:
    """An element with ``_children`` that is not a collection, e.g. ``cmi.core``."""

    path: str
    children: str


@dataclass(frozen=True)
class Collection:
    """A packed array (RTE 4th ed. §4.1.1.3), with its SPM of entries.

    Attributes:
        path: e.g. ``cmi.interactions.n.correct_responses``.
        children: the ``_children`` string, or None when the book defines only
            ``_count``.
        spm: smallest permitted maximum number of entries.
        creatable: whether a SCO may append entries (``adl.data`` is LMS-filled).
    """

    path: str
    children: str | None
    spm: int
    creatable: bool = True


@dataclass(frozen=True)
class DataModel:
    """The complete data model of one edition."""

    version: str
    version_value: str
    elements: tuple[Element, ...]
    groups: tuple[Group, ...] = ()
    collections: tuple[Collection, ...] = ()
