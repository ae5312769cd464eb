"""Readiness answers 503 and names what is down; headers protect every page."""

import pytest

from hub import create_app
from tests.hub.conftest import make_settings


@pytest.fixture
def other_app(app, tmp_path):
    """A second app with its own settings; the main app's Celery is restored after."""
    made = []

    def build(**overrides):
        made.append(create_app(make_settings(tmp_path, **overrides)))
        return made[-1]

    yield build
    app.extensions["celery"].set_default()
    for extra in made:
        extra.extensions["hub.db"].engine.dispose()


def test_readyz_is_503_when_the_broker_is_unreachable(other_app, tmp_path):
    application = other_app(
        database_url=f"sqlite:///{tmp_path / 'r.db'}",
        broker_url="redis://127.0.0.1:1/0",
    )
    response = application.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "broker": "unreachable"}


def test_readyz_is_503_when_the_database_is_unreachable(other_app):
    application = other_app(database_url="postgresql://nobody@127.0.0.1:1/none")
    response = application.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "unreachable"
    assert application.test_client().get("/healthz").status_code == 200


def test_pages_send_security_headers_and_no_store(web):
    response = web.get("/login")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    static = web.get("/static/css/hub.css")
    static.close()
    assert static.headers.get("Cache-Control") != "no-store"


def test_unknown_page_is_a_friendly_404(web):
    response = web.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)
