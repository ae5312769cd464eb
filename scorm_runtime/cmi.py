"""GetValue and SetValue over a flat CMI store, validated by the shared definitions.

The store is a plain ``dict[str, str]`` keyed by concrete element names
(``cmi.objectives.0.id``), plus ``<collection>._count`` entries. The API state machine
(``rte.py``) and server-side commit validation (``commit.py``) both go through
:func:`get_value` and :func:`set_value`, so they apply exactly the same rules.
"""

from . import paths
from . import vocab as v
from .compat import Deviation
from .errors import ScormError
from .status import evaluated_status
from .validation import validate

Store = dict[str, str]


def count(store: Store, collection: str) -> int:
    """Number of entries in the concrete collection ``collection``."""
    return int(store.get(collection + "._count", "0"))


def _access(store: Store, spec: dict, element: str) -> str:
    """The element's access, unless the LMS set another for this concrete element."""
    return store.get(paths.ACCESS_PREFIX + element, spec["access"])


def _known_parent(defs: dict, parent: str) -> bool:
    return (
        parent in defs["groups"]
        or parent in defs["collections"]
        or parent in defs["elements"]
    )


def _keyword_get(defs: dict, store: Store, template: str, element: str, indices):
    parent, _, keyword = template.rpartition(".")
    version = defs["version"]
    if element == "cmi._version":
        return defs["version_value"]
    if not _known_parent(defs, parent):
        raise ScormError("undefined", version, element)
    _check_get_indices(defs, store, parent, indices)
    if keyword == "_children":
        children = defs["groups"].get(parent)
        children = children or defs["collections"].get(parent, {}).get("children")
        if children is None:
            raise ScormError("no_children", version, element)
        return children
    if keyword == "_count":
        if parent not in defs["collections"]:
            raise ScormError("no_count", version, element)
        return str(count(store, paths.fill(parent, indices)))
    raise ScormError("no_version", version, element)


def _check_get_indices(defs: dict, store: Store, template: str, indices) -> None:
    for _, concrete, index in paths.collection_levels(template, indices):
        if index >= count(store, concrete):
            raise ScormError("get_out_of_range", defs["version"], concrete)


def _resolve(defs: dict, element: str, *, for_set: bool):
    """Parse and look up ``element``; raise the edition's error for a bad name."""
    version = defs["version"]
    if element == "":
        raise ScormError("set_empty" if for_set else "get_empty", version)
    parsed = paths.parse(element)
    if parsed is None:
        raise ScormError("undefined", version, element)
    return parsed


def get_value(defs: dict, store: Store, element: str) -> str:
    """GetValue / LMSGetValue against ``store``.

    Args:
        defs: the effective definitions (:func:`scorm_runtime.definitions`).
        store: the flat CMI store.
        element: the element name the SCO asked for.

    Returns:
        The value as the API returns it.

    Raises:
        ScormError: with the edition's code when the call fails.
    """
    version = defs["version"]
    template, indices = _resolve(defs, element, for_set=False)
    if template.rsplit(".", 1)[-1] in paths.KEYWORDS:
        return _keyword_get(defs, store, template, element, indices)
    spec = defs["elements"].get(template)
    if spec is None:
        raise ScormError("undefined", version, element)
    # A write-only element is never readable, whatever its index (RTE 1.2 §3.3.2.2
    # 404 for every cmi.interactions.n.* element); an adl.data store the manifest
    # does not let the SCO read is write-only too (RTE 4th ed. §4.3).
    if _access(store, spec, element) not in v.READABLE:
        raise ScormError("write_only", version, element)
    _check_get_indices(defs, store, template, indices)
    evaluated = evaluated_status(version, store, element)
    if evaluated is not None:
        return evaluated
    if element in store:
        return store[element]
    # adl.nav.request_valid.choice/jump: the launch may answer for every target it
    # does not name (navigation_validity: a target outside the package is "false").
    if template in store:
        return store[template]
    if spec["default"] is not None:
        return spec["default"]
    # Only SCORM 2004 has elements without a default: every readable 1.2 element
    # starts as "" or a vocabulary value (RTE 1.2 §3.4.4).
    raise ScormError("not_initialized", version, element)


def _check_set_indices(defs: dict, store: Store, template: str, indices) -> list:
    """Apply the packed-array rules (RTE 4th ed. §4.1.1.3).

    Returns:
        ``(concrete collection, spm)`` for each collection the call appends to.
    """
    version = defs["version"]
    created: list[tuple[str, int]] = []
    for collection, concrete, index in paths.collection_levels(template, indices):
        size = count(store, concrete)
        rules = defs["collections"][collection]
        if index > size or (index == size and not rules["creatable"]):
            raise ScormError("set_out_of_order", version, concrete)
        if index == size:
            spm, limit = _collection_limits(defs, store, collection, indices, rules)
            if index >= limit:
                raise ScormError("spm_exceeded", version, concrete)
            created.append((concrete, spm))
    return created


def _collection_limits(defs, store: Store, collection: str, indices, rules):
    """(SPM, hard limit) of a collection; correct_responses depend on the type."""
    spm, limit = rules["spm"], rules["max"]
    if collection == "cmi.interactions.n.correct_responses":
        kind = store.get(paths.fill("cmi.interactions.n.type", indices), "")
        # RTE 4th ed. §4.2.9.2: SPM of correct responses per interaction type; the
        # types with an SPM of 1 take exactly one correct response.
        per_type = defs["interactions"]["pattern_limits"].get(kind)
        if per_type is not None:
            spm = per_type
            if per_type == 1 or defs["settings"]["strict"]:
                limit = per_type
    return spm, limit


def _type_spec(defs: dict, store: Store, spec: dict, indices) -> dict:
    kind = spec["type"]
    if kind["kind"] != "interaction":
        return kind
    interaction_type = store.get(paths.fill("cmi.interactions.n.type", indices), "")
    return defs["interactions"][kind["role"]][interaction_type]


def _check_constraints(defs, store: Store, spec, *, template, indices, element, value):
    version = defs["version"]
    if spec["immutable"] and store.get(element, value) != value:
        raise ScormError("immutable", version, element)
    if spec["unique"]:
        _, concrete, own = paths.collection_levels(template, indices)[-1]
        suffix = element[len(concrete) + len(str(own)) + 2 :]
        for other in range(count(store, concrete)):
            if other != own and store.get(f"{concrete}.{other}.{suffix}") == value:
                raise ScormError("unique", version, element)


def _deviations(defs, store, created, *, element, value, deviation) -> list[Deviation]:
    found = []
    for concrete, spm in created:
        if count(store, concrete) >= spm:
            detail = f"entry {count(store, concrete)} beyond the SPM of {spm}"
            found.append(Deviation(v.DEV_SPM_EXCEEDED, concrete, detail))
    if deviation is not None:
        detail = f"accepted {len(value)} characters beyond the book: {value[:80]!r}"
        found.append(Deviation(deviation, element, detail))
    return found


def set_value(defs: dict, store: Store, element: str, value: str) -> list[Deviation]:
    """SetValue / LMSSetValue against ``store``, which is updated in place.

    Args:
        defs: the effective definitions (:func:`scorm_runtime.definitions`).
        store: the flat CMI store.
        element: the element name the SCO passed.
        value: the value the SCO passed.

    Returns:
        The deviations from the book that the settings allowed (usually empty).

    Raises:
        ScormError: with the edition's code; ``store`` is then unchanged.
    """
    version = defs["version"]
    template, indices = _resolve(defs, element, for_set=True)
    parent, _, last = template.rpartition(".")
    if last in paths.KEYWORDS:
        known = element == "cmi._version" or _known_parent(defs, parent)
        raise ScormError("set_keyword" if known else "undefined", version, element)
    spec = defs["elements"].get(template)
    if spec is None:
        raise ScormError("undefined", version, element)
    if _access(store, spec, element) not in v.WRITABLE:
        raise ScormError("read_only", version, element)
    created = _check_set_indices(defs, store, template, indices)
    for required in spec["requires"]:
        if paths.fill(required, indices) not in store:
            raise ScormError("dependency", version, paths.fill(required, indices))
    error, deviation = validate(_type_spec(defs, store, spec, indices), value)
    if error is not None:
        raise ScormError(error, version, element)
    _check_constraints(
        defs,
        store,
        spec,
        template=template,
        indices=indices,
        element=element,
        value=value,
    )
    deviations = _deviations(
        defs, store, created, element=element, value=value, deviation=deviation
    )
    store[element] = value
    for concrete, _ in created:
        store[concrete + "._count"] = str(count(store, concrete) + 1)
    return deviations
