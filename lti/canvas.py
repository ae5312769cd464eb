"""A ready JSON configuration for a Canvas LTI 1.3 developer key.

Format: Canvas "Configuring LTI Advantage Tools", JSON configuration
(https://canvas.instructure.com/doc/api/file.lti_dev_key_config.html). Canvas takes the
redirect URIs in a separate field of the key form; ``redirect_uris`` is returned for it.
"""

from typing import Any

from lti import claims
from lti.tool_info import ToolInfo

CANVAS_PLATFORM = "canvas.instructure.com"


def canvas_developer_key_config(
    tool: ToolInfo, *, privacy_level: str = "public"
) -> dict[str, Any]:
    """Return the developer key JSON for ``tool``.

    Placements: deep linking from the link and assignment pickers and the rich editor,
    and a plain launch from course navigation.

    Args:
        tool: The tool's URLs and name.
        privacy_level: ``public`` sends name and email (still never required);
            ``anonymous`` sends neither.

    Returns:
        The JSON-serialisable configuration, plus ``redirect_uris`` for the key form.
    """

    placements = _placements(tool)
    return {
        "title": tool.title,
        "description": tool.description or tool.title,
        "oidc_initiation_url": tool.login_url,
        "target_link_uri": tool.launch_url,
        "public_jwk_url": tool.jwks_url,
        "scopes": list(tool.scopes),
        "extensions": [
            {
                "domain": tool.domain,
                "platform": CANVAS_PLATFORM,
                "privacy_level": privacy_level,
                "settings": {"text": tool.title, "placements": placements},
            }
        ],
        "custom_fields": {"canvas_course_id": "$Canvas.course.id"},
        "redirect_uris": list(tool.redirect_uris),
    }


def _placements(tool: ToolInfo) -> list[dict[str, Any]]:
    def placement(name: str, message_type: str, target: str) -> dict[str, Any]:
        return {
            "placement": name,
            "message_type": message_type,
            "target_link_uri": target,
            "text": tool.title,
            **({"icon_url": tool.logo_url} if tool.logo_url else {}),
        }

    deep = claims.MESSAGE_TYPE_DEEP_LINKING
    return [
        placement("link_selection", deep, tool.deep_linking_url),
        placement("assignment_selection", deep, tool.deep_linking_url),
        placement("editor_button", deep, tool.deep_linking_url),
        placement(
            "course_navigation", claims.MESSAGE_TYPE_RESOURCE_LINK, tool.launch_url
        ),
    ]
