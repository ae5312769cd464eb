"""Dot-notation paths (RTE 4th ed. §3.1.7.1): concrete element names to table paths."""

import re
from functools import lru_cache

KEYWORDS = ("_children", "_count", "_version")
_INDEX = re.compile(r"0|[1-9][0-9]*")
_TARGETED = ("adl.nav.request_valid.choice.", "adl.nav.request_valid.jump.")
_TARGET = re.compile(r"\{target=[^\x00-\x20\x7f{}]+\}")


# Element names repeat from commit to commit (the same interactions' fields over and
# over), so the three functions below are cached. The names come from the browser:
# the caches hold a bounded number of entries, and only names of a sane length.
_CACHE_SIZE = 4096

# An LMS-set access override of one concrete element is stored under the element's
# name behind this prefix (``.adl.data.0.store`` -> "RO"). The leading empty segment
# makes it a name no SCO can use: parse() rejects it, so GetValue/SetValue give 401.
ACCESS_PREFIX = "."
_CACHED_LENGTH = 255


def parse(element: str) -> tuple[str, tuple[int, ...]] | None:
    """Split a concrete element name into its table path and collection indices.

    ``cmi.interactions.3.objectives.0.id`` becomes
    ``("cmi.interactions.n.objectives.n.id", (3, 0))``. A targeted navigation
    element keeps its target in the name and maps to ``...choice.{target}``.

    Returns:
        None when the name cannot name any element (empty segment, bad target).
    """
    if len(element) > _CACHED_LENGTH:
        return _parse(element)
    return _parse_cached(element)


def _parse(element: str) -> tuple[str, tuple[int, ...]] | None:
    for prefix in _TARGETED:
        if element.startswith(prefix):
            target = element[len(prefix) :]
            if _TARGET.fullmatch(target) is None:
                return None
            return prefix + "{target}", ()
    segments = element.split(".")
    indices: list[int] = []
    template: list[str] = []
    for segment in segments:
        if segment in ("", "n"):
            return None  # "n" is the table's index placeholder, never a name
        if _INDEX.fullmatch(segment):
            indices.append(int(segment))
            template.append("n")
        else:
            template.append(segment)
    return ".".join(template), tuple(indices)


_parse_cached = lru_cache(maxsize=_CACHE_SIZE)(_parse)


@lru_cache(maxsize=_CACHE_SIZE)
def fill(template: str, indices: tuple[int, ...]) -> str:
    """Replace the ``n`` segments of ``template`` by ``indices``, in order."""
    parts = template.split(".")
    remaining = iter(indices)
    return ".".join(
        str(next(remaining, "n")) if part == "n" else part for part in parts
    )


@lru_cache(maxsize=_CACHE_SIZE)
def collection_levels(
    template: str, indices: tuple[int, ...]
) -> tuple[tuple[str, str, int], ...]:
    """The collections an element lies in, outermost first.

    Returns:
        ``(collection path, concrete collection name, index)`` per ``n`` segment,
        e.g. ``("cmi.interactions.n.objectives", "cmi.interactions.3.objectives", 0)``.
    """
    parts = template.split(".")
    levels = []
    seen = 0
    for position, part in enumerate(parts):
        if part == "n":
            collection = ".".join(parts[:position])
            levels.append((collection, fill(collection, indices), indices[seen]))
            seen += 1
    return tuple(levels)
