from lti.platform_storage import (
    cookie_login_page,
    storage_check_page,
    storage_login_page,
)

CHECK_PAGE = {
    "storage_target": "_parent",
    "platform_origin": "https://p.example",
    "state": "s1",
    "nonce": "n1",
    "complete_url": "https://t/lti/launch/check",
    "launch_id": "L1",
}


def test_storage_pages_escape_script_breakouts():
    evil = "</script><script>alert(1)</script>"
    page = storage_login_page(
        auth_url="https://p/auth?x=" + evil,
        state=evil,
        nonce="n",
        storage_target=evil,
        platform_origin="https://p",
        new_window_url='https://t/login?a="><b>',
    )
    assert "<script>alert(1)" not in page
    assert "\\u003c/script\\u003e" in page
    assert 'href="https://t/login?a=&quot;&gt;&lt;b&gt;"' in page


def test_storage_check_page_reads_both_keys_and_posts_back():
    page = storage_check_page(**CHECK_PAGE)
    assert "lti.get_data" in page
    assert '"lti1p3_state_s1"' in page and '"lti1p3_nonce_n1"' in page
    assert 'action="https://t/lti/launch/check"' in page
    assert 'name="launch_id" value="L1"' in page
    assert "event.origin !== cfg.origin" in page  # responses only from the platform
    assert "target.postMessage(message, cfg.origin)" in page


def test_cookie_login_page_offers_new_window():
    page = cookie_login_page(
        auth_url="https://p/auth", new_window_url="https://t/l?a=1&b=2"
    )
    assert 'href="https://t/l?a=1&amp;b=2"' in page
    assert 'target="_blank"' in page


def test_storage_script_has_timeouts_filled_in():
    page = storage_check_page(
        storage_target="_parent",
        platform_origin="https://p",
        state="s",
        nonce="n",
        complete_url="https://t/c",
        launch_id="L",
    )
    assert "%(" not in page
    assert "setInterval(send, 200)" in page
    assert "}, 5000);" in page


def test_storage_check_page_offers_the_new_window_when_the_platform_stays_silent():
    url = 'https://t/lti/login?iss=x&lti1p3_new_window=1&q="'
    page = storage_check_page(**CHECK_PAGE, new_window_url=url)
    assert "Open in a new window" in page
    assert (
        'href="https://t/lti/login?iss=x&amp;lti1p3_new_window=1&amp;q=&quot;"' in page
    )
    without = storage_check_page(**CHECK_PAGE)
    assert "Open in a new window" not in without
    assert "launch the tool again" in without
