"""RFC 8288 ``Link`` header parsing shared by the AGS and NRPS clients."""

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

_LINK = re.compile(r"<([^>]*)>([^<]*)")
_REL = re.compile(r';\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))', re.IGNORECASE)


def link_url(headers: Mapping[str, str], rel: str) -> str | None:
    """Return the URL of the ``Link`` header entry with ``rel``, or ``None``.

    pylti1p3 2.0.0 lower-cases the whole header before matching, which corrupts
    case-sensitive page URLs, and ``requests`` splits on every ``;`` even inside the
    URL; this parses RFC 8288 §3 itself: ``<URI>`` then its parameters. Relation
    types compare case-insensitively (§2.1.1).

    Args:
        headers: Case-insensitive response headers.
        rel: The relation, e.g. ``"next"`` or ``"differences"``.

    Returns:
        The target URL, or ``None``.
    """
    header = headers.get("Link") or headers.get("link")
    if not header:
        return None
    for target, params in _LINK.findall(header.replace("\n", " ")):
        match = _REL.search(params)
        if match is None:
            continue
        rels = (match.group(1) or match.group(2)).lower().split()
        if rel.lower() in rels and target.strip():
            return target.strip()
    return None


def with_query(url: str, query: Mapping[str, Any]) -> str:
    """Return ``url`` with ``query`` appended to its own query string."""
    if not query:
        return url
    parts = urlsplit(url)
    joined = "&".join(q for q in (parts.query, urlencode(dict(query))) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, parts.fragment))
