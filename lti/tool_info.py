"""What the tool tells platforms about itself: its URLs, name and requested scopes."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lti import claims

#: The AGS and NRPS scopes the hub asks for when it registers.
DEFAULT_SCOPES: tuple[str, ...] = (
    claims.SCOPE_LINEITEM,
    claims.SCOPE_LINEITEM_READONLY,
    claims.SCOPE_RESULT_READONLY,
    claims.SCOPE_SCORE,
    claims.SCOPE_NRPS_MEMBERSHIP_READONLY,
)


@dataclass(frozen=True)
class ToolInfo:
    """The values an admin copies into a platform, or registration sends it.

    Attributes:
        title: The tool's name as platforms show it.
        login_url: OIDC third-party login initiation URL.
        launch_url: Redirect URI and default target link URI.
        jwks_url: The tool's public JWK Set URL.
        deep_linking_url: Target link URI for deep linking requests.
        description: A short description.
        logo_url: A logo, if any.
        scopes: Service scopes to request.
        contact_email: An administrative contact, if any.
    """

    title: str
    login_url: str
    launch_url: str
    jwks_url: str
    deep_linking_url: str
    description: str = ""
    logo_url: str | None = None
    scopes: tuple[str, ...] = field(default=DEFAULT_SCOPES)
    contact_email: str | None = None

    @property
    def domain(self) -> str:
        """The host name of the launch URL."""
        return urlsplit(self.launch_url).hostname or ""

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        """Every URI the platform may post an id_token to."""
        uris = (self.launch_url, self.deep_linking_url)
        return tuple(dict.fromkeys(uris))
