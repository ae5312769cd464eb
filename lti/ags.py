"""Assignment and Grade Services 2.0 client (https://www.imsglobal.org/spec/lti-ags/v2p0/).

Line items (§3.2): list with filters and paging, find or create by resourceLinkId,
resourceId or tag. Scores (§3.4): publish one learner's score. Results (§3.3): read them
with paging. The ``lineitem`` scope includes the right of ``lineitem.readonly`` (§3.1).
Every failure is an ``AgsError`` carrying the platform's status and body, for the
outbox to show and to decide whether to retry (``AgsError.retryable``).
"""

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from lti import claims
from lti._paging import link_url, with_query
from lti.access_token import PlatformServiceConnector
from lti.context import AgsEndpoint
from lti.errors import AgsError

#: Safety bound on followed pages, so a platform looping its Link header cannot spin a
#: worker forever.
MAX_PAGES = 1000


@dataclass(frozen=True)
class LineItem:
    """A gradebook column (AGS §3.2.7)."""

    label: str
    score_maximum: float
    id: str | None = None
    resource_link_id: str | None = None
    resource_id: str | None = None
    tag: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the line item media type body, without empty fields."""
        data = {
            "id": self.id,
            "label": self.label,
            "scoreMaximum": self.score_maximum,
            "resourceLinkId": self.resource_link_id,
            "resourceId": self.resource_id,
            "tag": self.tag,
        }
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "LineItem":
        """Parse a platform's line item.

        Raises:
            AgsError: Required fields are missing.
        """
        try:
            return cls(
                id=data.get("id"),
                label=str(data["label"]),
                score_maximum=float(data["scoreMaximum"]),
                resource_link_id=data.get("resourceLinkId"),
                resource_id=data.get("resourceId"),
                tag=data.get("tag"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AgsError(f"unusable line item from platform: {data!r:.200}") from exc


@dataclass(frozen=True)
class Score:
    """One learner's score (AGS §3.4.7); ``timestamp`` orders competing scores."""

    user_id: str
    activity_progress: str
    grading_progress: str
    timestamp: datetime
    score_given: float | None = None
    score_maximum: float | None = None
    comment: str | None = None

    def __post_init__(self) -> None:
        """Check the vocabularies and score bounds of AGS §3.4.7."""
        if self.activity_progress not in claims.ACTIVITY_PROGRESS_VALUES:
            raise ValueError(f"activityProgress {self.activity_progress!r}")
        if self.grading_progress not in claims.GRADING_PROGRESS_VALUES:
            raise ValueError(f"gradingProgress {self.grading_progress!r}")
        if self.timestamp.tzinfo is None:
            raise ValueError("timestamp must be timezone-aware")
        if self.score_given is not None:
            # §3.4.7: scoreGiven requires scoreMaximum; both non-negative.
            if self.score_maximum is None or self.score_maximum <= 0:
                raise ValueError("scoreGiven needs a positive scoreMaximum")
            if self.score_given < 0:
                raise ValueError("scoreGiven must be >= 0")

    def to_json(self) -> dict[str, Any]:
        """Return the score media type body."""
        stamp = self.timestamp.astimezone(UTC).isoformat(timespec="milliseconds")
        data = {
            "userId": self.user_id,
            "activityProgress": self.activity_progress,
            "gradingProgress": self.grading_progress,
            "timestamp": stamp.replace("+00:00", "Z"),
            "scoreGiven": self.score_given,
            "scoreMaximum": self.score_maximum,
            "comment": self.comment,
        }
        return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True)
class Result:
    """A platform's current result for one learner (AGS §3.3.6)."""

    user_id: str
    result_score: float | None
    result_maximum: float | None
    comment: str | None = None
    id: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Result":
        """Parse a platform's result."""
        score, maximum = data.get("resultScore"), data.get("resultMaximum")
        return cls(
            user_id=str(data.get("userId", "")),
            result_score=float(score) if score is not None else None,
            result_maximum=float(maximum) if maximum is not None else None,
            comment=data.get("comment"),
            id=data.get("id"),
        )


def service_url(
    line_item_url: str, suffix: str, query: Mapping[str, str] | None = None
) -> str:
    """Return ``<line item>/<suffix>`` keeping the line item's own query (AGS §3.4)."""
    parts = urlsplit(line_item_url)
    path = parts.path.rstrip("/") + "/" + suffix
    base = urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
    return with_query(base, query or {})


class AgsClient:
    """AGS calls for one platform registration and one context's endpoint claim.

    Args:
        connector: The platform's service connector (token cache, timeouts).
        endpoint: The AGS endpoint claim stored from a launch.
    """

    def __init__(
        self, connector: PlatformServiceConnector, endpoint: AgsEndpoint
    ) -> None:
        self._connector = connector
        self._endpoint = endpoint
        # One token for every AGS call: the whole granted scope set (one token request
        # per platform and context scope set, not one per operation).
        self._scopes = tuple(sorted(set(endpoint.scopes)))

    @property
    def scopes(self) -> tuple[str, ...]:
        """The scope set of this client's access token (sorted, no duplicates)."""
        return self._scopes

    def can_read_line_items(self) -> bool:
        """AGS §3.1: ``lineitem`` includes ``lineitem.readonly``."""
        granted = set(self._scopes)
        return bool(granted & {claims.SCOPE_LINEITEM, claims.SCOPE_LINEITEM_READONLY})

    def _require(self, allowed: bool, scope: str) -> None:
        if not allowed:
            raise AgsError(f"the platform did not grant {scope}")

    def _call(
        self, url: str, what: str, **kwargs: Any
    ) -> tuple[Any, Mapping[str, str]]:
        response = self._connector.request(
            self._scopes, url, error_type=AgsError, what=what, **kwargs
        )
        return response["body"], response["headers"]

    def _pages(self, url: str, accept: str, what: str) -> Iterator[list[Any]]:
        next_url: str | None = url
        for _ in range(MAX_PAGES):
            if next_url is None:
                return
            body, headers = self._call(next_url, what, accept=accept)
            if not isinstance(body, list):
                raise AgsError(
                    f"{what}: the platform did not return a list", url=next_url
                )
            yield body
            next_url = link_url(headers, "next")
        raise AgsError(f"{what}: more than {MAX_PAGES} pages", url=url)

    def list_line_items(
        self,
        *,
        resource_link_id: str | None = None,
        resource_id: str | None = None,
        tag: str | None = None,
    ) -> list[LineItem]:
        """List the context's line items, all pages, filtered (AGS §3.2.4).

        Filters go to the platform as query parameters and are applied again here,
        because platforms may ignore them.

        Raises:
            AgsError: Missing scope, no line items URL, or a failed call.
        """
        self._require(self.can_read_line_items(), claims.SCOPE_LINEITEM_READONLY)
        if not self._endpoint.lineitems_url:
            raise AgsError("the launch offered no line items URL")
        wanted = {
            "resource_link_id": resource_link_id,
            "resource_id": resource_id,
            "tag": tag,
        }
        query = {k: v for k, v in wanted.items() if v is not None}
        url = with_query(self._endpoint.lineitems_url, query)
        items = [
            LineItem.from_json(raw)
            for page in self._pages(
                url, claims.MEDIA_LINEITEM_CONTAINER, "list line items"
            )
            for raw in page
        ]
        return [item for item in items if _matches(item, query)]

    def create_line_item(self, item: LineItem) -> LineItem:
        """Create a line item in the context (AGS §3.2.5).

        Raises:
            AgsError: Missing ``lineitem`` scope or a failed call.
        """
        self._require(claims.SCOPE_LINEITEM in self._scopes, claims.SCOPE_LINEITEM)
        if not self._endpoint.lineitems_url:
            raise AgsError("the launch offered no line items URL")
        body, _ = self._call(
            self._endpoint.lineitems_url,
            "create line item",
            is_post=True,
            data=json.dumps(item.to_json()),
            content_type=claims.MEDIA_LINEITEM,
            accept=claims.MEDIA_LINEITEM,
        )
        if not isinstance(body, Mapping):
            raise AgsError("create line item: the platform returned no line item")
        return LineItem.from_json(body)

    def find_or_create_line_item(self, item: LineItem) -> LineItem:
        """Find the line item by resourceLinkId, resourceId and tag, else create it.

        The non-empty identifying fields of ``item`` must all match. With none set,
        the endpoint's own ``lineitem`` (the resource link's column) is returned.

        Raises:
            AgsError: No way to identify or create the line item, or a failed call.
        """
        keys = {
            "resource_link_id": item.resource_link_id,
            "resource_id": item.resource_id,
            "tag": item.tag,
        }
        if not any(keys.values()):
            if self._endpoint.lineitem_url:
                return self.get_line_item(self._endpoint.lineitem_url)
            raise AgsError(
                "set resource_link_id, resource_id or tag to find a line item"
            )
        found = self.list_line_items(**keys)
        return found[0] if found else self.create_line_item(item)

    def get_line_item(self, url: str) -> LineItem:
        """Read one line item (AGS §3.2.3)."""
        self._require(self.can_read_line_items(), claims.SCOPE_LINEITEM_READONLY)
        body, _ = self._call(url, "get line item", accept=claims.MEDIA_LINEITEM)
        if not isinstance(body, Mapping):
            raise AgsError("get line item: the platform returned no line item", url=url)
        return LineItem.from_json(body)

    def publish_score(self, line_item_url: str, score: Score) -> None:
        """POST a score to ``<line item>/scores`` (AGS §3.4).

        Safe to repeat: the platform keeps the score with the newest timestamp, so an
        outbox retry after a lost answer does not double-count.

        Raises:
            AgsError: Missing ``score`` scope or a failed call.
        """
        self._require(claims.SCOPE_SCORE in self._scopes, claims.SCOPE_SCORE)
        self._call(
            service_url(line_item_url, "scores"),
            "publish score",
            is_post=True,
            data=json.dumps(score.to_json()),
            content_type=claims.MEDIA_SCORE,
        )

    def get_results(
        self, line_item_url: str, *, user_id: str | None = None
    ) -> list[Result]:
        """Read the line item's results, all pages (AGS §3.3).

        Raises:
            AgsError: Missing ``result.readonly`` scope or a failed call.
        """
        self._require(
            claims.SCOPE_RESULT_READONLY in self._scopes, claims.SCOPE_RESULT_READONLY
        )
        query = {"user_id": user_id} if user_id else {}
        url = service_url(line_item_url, "results", query)
        pages = self._pages(url, claims.MEDIA_RESULT_CONTAINER, "get results")
        return [Result.from_json(raw) for page in pages for raw in page]


def _matches(item: LineItem, query: Mapping[str, str]) -> bool:
    values = {
        "resource_link_id": item.resource_link_id,
        "resource_id": item.resource_id,
        "tag": item.tag,
    }
    return all(values[name] == wanted for name, wanted in query.items())
