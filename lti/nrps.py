"""Names and Role Provisioning Services 2.0 client (https://www.imsglobal.org/spec/lti-nrps/v2p0/).

A full roster follows ``Link: rel="next"`` over every page (§2.3). An empty or failed
page is an error, never "everyone left": the hub only deactivates members after a
complete, non-empty roster. When the platform offers ``rel="differences"`` (§2.4), its
URL is kept so the next sync can ask only for changes.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lti import claims
from lti._checks import MAX_ID_LENGTH
from lti._paging import link_url, with_query
from lti.access_token import PlatformServiceConnector
from lti.errors import NrpsError

MAX_PAGES = 1000
ACTIVE = "Active"


@dataclass(frozen=True)
class Member:
    """One context member (NRPS §2.2); only ``user_id`` and ``roles`` are required."""

    user_id: str
    roles: tuple[str, ...]
    status: str = ACTIVE
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    lis_person_sourcedid: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Member":
        """Parse one ``members`` entry.

        Raises:
            NrpsError: ``user_id`` or ``roles`` is missing, or ``user_id`` is
                longer than an LTI user id may be (it is the launch's ``sub``).
        """
        user_id, roles = data.get("user_id"), data.get("roles")
        if not user_id or not isinstance(roles, list):
            raise NrpsError(f"member without user_id or roles: {data!r:.200}")
        if len(str(user_id)) > MAX_ID_LENGTH:
            raise NrpsError(
                f"member user_id of {len(str(user_id))} characters (at most "
                f"{MAX_ID_LENGTH}): {str(user_id)[:40]!r}…"
            )
        return cls(
            user_id=str(user_id),
            roles=tuple(str(role) for role in roles),
            status=str(data.get("status") or ACTIVE),
            name=data.get("name"),
            given_name=data.get("given_name"),
            family_name=data.get("family_name"),
            email=data.get("email"),
            lis_person_sourcedid=data.get("lis_person_sourcedid"),
        )


@dataclass(frozen=True)
class Roster:
    """Members of a context.

    Attributes:
        context_id: The context id the platform reported.
        members: Every member on every page.
        differences_url: Where to ask for changes next time, if offered.
        is_delta: True for a differences answer (only changed members).
    """

    context_id: str | None
    members: tuple[Member, ...]
    differences_url: str | None
    is_delta: bool = False


class NrpsClient:
    """NRPS calls for one platform registration.

    Args:
        connector: The platform's service connector (token cache, timeouts).
    """

    SCOPES = (claims.SCOPE_NRPS_MEMBERSHIP_READONLY,)

    def __init__(self, connector: PlatformServiceConnector) -> None:
        self._connector = connector

    def fetch_roster(
        self,
        memberships_url: str,
        *,
        role: str | None = None,
        resource_link_id: str | None = None,
        limit: int | None = None,
    ) -> Roster:
        """Fetch the complete roster, every page.

        Args:
            memberships_url: The ``context_memberships_url`` from the launch.
            role: Only members with this role (NRPS §2.3.1).
            resource_link_id: Members with access to this link (``rlid``, §3).
            limit: Page size hint (§2.3.2).

        Returns:
            The complete ``Roster``.

        Raises:
            NrpsError: A page failed, was malformed or empty.
        """
        query = {"role": role, "rlid": resource_link_id, "limit": limit}
        url = with_query(memberships_url, {k: v for k, v in query.items() if v})
        return self._collect(url, is_delta=False)

    def fetch_differences(self, differences_url: str) -> Roster:
        """Fetch the members that changed since the roster that offered this URL.

        An empty answer is valid here: nobody changed.

        Raises:
            NrpsError: A page failed or was malformed.
        """
        return self._collect(differences_url, is_delta=True)

    def _collect(self, url: str, *, is_delta: bool) -> Roster:
        members: list[Member] = []
        context_id: str | None = None
        differences: str | None = None
        next_url: str | None = url
        for _ in range(MAX_PAGES):
            if next_url is None:
                return Roster(context_id, tuple(members), differences, is_delta)
            page, headers = self._page(next_url)
            if not page["members"] and not is_delta:
                raise NrpsError(
                    "empty membership page; nobody is unenrolled", url=next_url
                )
            members.extend(Member.from_json(raw) for raw in page["members"])
            context_id = context_id or (page.get("context") or {}).get("id")
            differences = link_url(headers, "differences") or differences
            next_url = link_url(headers, "next")
        raise NrpsError(f"more than {MAX_PAGES} membership pages", url=url)

    def _page(self, url: str) -> tuple[Mapping[str, Any], Mapping[str, str]]:
        response = self._connector.request(
            self.SCOPES,
            url,
            error_type=NrpsError,
            what="fetch memberships",
            accept=claims.MEDIA_NRPS_MEMBERSHIP,
        )
        body = response["body"]
        if not isinstance(body, Mapping) or not isinstance(body.get("members"), list):
            raise NrpsError("membership page without a members list", url=url)
        return body, response["headers"]


@dataclass(frozen=True)
class MembershipChanges:
    """What a roster means for the hub's enrollments.

    Attributes:
        present: Members to create or keep enrolled (status ``Active``).
        departed: User ids to mark inactive (never delete: their data stays).
    """

    present: tuple[Member, ...]
    departed: frozenset[str]


def membership_changes(
    roster: Roster, known_user_ids: Iterable[str]
) -> MembershipChanges:
    """Compare a roster with the user ids the hub has enrolled for the context.

    A full roster (never empty: ``fetch_roster`` refuses that) departs everyone not in
    it and everyone listed as ``Inactive`` or ``Deleted``. A differences roster only
    departs the members it lists as such (NRPS §2.4: absent means unchanged).

    Args:
        roster: The roster from ``fetch_roster`` or ``fetch_differences``.
        known_user_ids: Platform user ids currently enrolled in the hub.

    Returns:
        The ``MembershipChanges``.
    """
    present = tuple(m for m in roster.members if m.status == ACTIVE)
    gone = {m.user_id for m in roster.members if m.status != ACTIVE}
    if not roster.is_delta:
        listed = {m.user_id for m in present}
        gone |= set(known_user_ids) - listed
    return MembershipChanges(present=present, departed=frozenset(gone))
