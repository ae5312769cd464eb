"""Structured runtime data of an attempt for reports and the registration API.

Turns the flat CMI store into nested plain data: the collections become lists of
dicts (interactions with their objectives and correct responses, objectives with
their scores, comments), in the element names of the attempt's own version.
"""

from . import paths
from .rollup import activity_result
from .state import AttemptState

_COLLECTIONS = (
    "cmi.interactions",
    "cmi.objectives",
    "cmi.comments_from_learner",
    "cmi.comments_from_lms",
    "adl.data",
)


def _nest(target: dict, parts: list[str], value: str) -> None:
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _entries(cmi: dict[str, str], collection: str) -> list[dict]:
    """The entries of a concrete collection, nested collections included."""
    size = int(cmi.get(collection + "._count", "0"))
    entries: list[dict] = [{} for _ in range(size)]
    prefix = collection + "."
    for key, value in cmi.items():
        if not key.startswith(prefix) or key.endswith("._count"):
            continue
        index, _, rest = key[len(prefix) :].partition(".")
        if not index.isdigit() or int(index) >= size or rest == "":
            continue
        head = rest.split(".", 1)[0]
        nested = f"{prefix}{index}.{head}"
        if nested + "._count" in cmi:
            entries[int(index)][head] = _entries(cmi, nested)
        else:
            _nest(entries[int(index)], rest.split("."), value)
    return entries


def runtime_report(state: AttemptState) -> dict:
    """The attempt's runtime data as nested, JSON-serializable data.

    Args:
        state: an attempt state.

    Returns:
        ``{"version", "attempt", "phase", "result", "elements", <collections>}``:
        ``elements`` holds every non-collection value by element name; each
        collection (``cmi.interactions``, ``cmi.objectives``, comments,
        ``adl.data``) is a list of dicts keyed by child name, e.g.
        ``report["cmi.interactions"][0]["correct_responses"][0]["pattern"]``.
    """
    cmi = state.cmi
    result = activity_result(state)
    in_collection = tuple(name + "." for name in _COLLECTIONS)
    report = {
        "version": state.version,
        "attempt": state.attempt,
        "phase": state.phase,
        "result": {
            "completion": result.completion,
            "success": result.success,
            "scaled": result.scaled,
            "raw": result.raw,
            "total_seconds": result.total_cs / 100,
            "credit": result.credit,
        },
        "elements": {
            key: value
            for key, value in sorted(cmi.items())
            if not key.startswith(in_collection) and paths.parse(key) is not None
        },
    }
    for collection in _COLLECTIONS:
        report[collection] = _entries(cmi, collection)
    return report
