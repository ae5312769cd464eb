"""RFC 8288 ``Link`` header parsing shared by the AGS and NRPS clients."""

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests


def link_url(headers: Mapping[str, str], rel: str) -> str | None:
    """Return the URL of the ``Link`` header entry with ``rel``, or ``None``.

    pylti1p3 2.0.0 lower-cases the whole header before matching, which corrupts
    case-sensitive page URLs; this parses it with ``requests`` instead.

    Args:
        headers: Case-insensitive response headers.
        rel: The relation, e.g. ``"next"`` or ``"differences"``.

    Returns:
        The target URL, or ``None``.
    """
    header = headers.get("Link") or headers.get("link")
    if not header:
        return None
    for link in requests.utils.parse_header_links(header.replace("\n", " ")):
        rels = link.get("rel", "").split()
        if rel in rels and link.get("url"):
            return link["url"]
    return None


def with_query(url: str, query: Mapping[str, Any]) -> str:
    """Return ``url`` with ``query`` appended to its own query string."""
    if not query:
        return url
    parts = urlsplit(url)
    joined = "&".join(q for q in (parts.query, urlencode(dict(query))) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, parts.fragment))
