"""First contact: health endpoints and the sign-in page."""


def test_healthz_answers_ok(api):
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_database_and_embedded_broker(api):
    response = api.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "broker": "embedded"}


def test_login_page_renders_with_csrf_token(web):
    page = web.get("/login").get_data(as_text=True)
    assert "Sign in" in page
    assert 'name="csrf_token"' in page
