"""Organization administration pages (admins only), one module per area."""

from flask import Blueprint, current_app

bp = Blueprint("admin", __name__, url_prefix="/admin")


def settings():
    return current_app.config["HUB_SETTINGS"]


from hub.web.admin import (  # noqa: E402, F401
    courses,
    groups,
    keys,
    packages,
    platforms,
    users,
)
