import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
import responses

from lti import claims
from lti.ags import AgsClient, LineItem, Result, Score, service_url
from lti.context import AgsEndpoint
from lti.errors import AgsError

LINEITEMS = "https://platform.example/ctx/1/lineitems"
ITEM = LINEITEMS + "/7"
ALL_SCOPES = (
    claims.SCOPE_LINEITEM,
    claims.SCOPE_SCORE,
    claims.SCOPE_RESULT_READONLY,
)


def _client(connector, scopes=ALL_SCOPES, **endpoint):
    endpoint.setdefault("lineitems_url", LINEITEMS)
    return AgsClient(connector, AgsEndpoint(scopes=tuple(scopes), **endpoint))


def _item(n, **fields):
    data = {"id": f"{LINEITEMS}/{n}", "label": f"Item {n}", "scoreMaximum": 10}
    data.update(fields)
    return data


def _score(**overrides):
    values = {
        "user_id": "user-42",
        "activity_progress": "Completed",
        "grading_progress": "FullyGraded",
        "timestamp": datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        "score_given": 8.5,
        "score_maximum": 10,
    }
    values.update(overrides)
    return Score(**values)


def test_ags_find_line_item_by_resource_link_id_follows_pages(connector, rsps):
    page2 = LINEITEMS + "?page=2&Token=AbC"
    rsps.add(
        responses.GET,
        LINEITEMS + "?resource_link_id=rl-2",
        json=[_item(1, resourceLinkId="rl-1")],
        headers={"Link": f'<{page2}>; rel="next"'},
    )
    rsps.add(responses.GET, page2, json=[_item(2, resourceLinkId="rl-2")])
    found = _client(connector).find_or_create_line_item(
        LineItem(label="Unit", score_maximum=10, resource_link_id="rl-2")
    )
    assert found.id == f"{LINEITEMS}/2"
    assert rsps.calls[-1].request.url == page2  # case-sensitive URL kept intact
    assert not any(
        c.request.method == "POST" and c.request.url == LINEITEMS for c in rsps.calls
    )


def test_ags_find_or_create_creates_when_missing(connector, rsps):
    rsps.add(responses.GET, LINEITEMS, json=[_item(1, tag="other")])
    rsps.add(responses.POST, LINEITEMS, json=_item(9, tag="quiz", resourceId="c-1"))
    created = _client(connector).find_or_create_line_item(
        LineItem(label="Quiz", score_maximum=10, tag="quiz", resource_id="c-1")
    )
    assert created.id == f"{LINEITEMS}/9"
    post = next(
        c
        for c in rsps.calls
        if c.request.method == "POST" and c.request.url == LINEITEMS
    )
    assert post.request.headers["Content-Type"] == claims.MEDIA_LINEITEM
    assert json.loads(post.request.body) == {
        "label": "Quiz",
        "scoreMaximum": 10,
        "resourceId": "c-1",
        "tag": "quiz",
    }
    assert "tag=quiz" in rsps.calls[1].request.url


def test_ags_find_or_create_without_keys_uses_launch_line_item(connector, rsps):
    rsps.add(responses.GET, ITEM, json=_item(7))
    client = _client(connector, lineitem_url=ITEM)
    assert client.find_or_create_line_item(LineItem("x", 1)).id == ITEM


def test_ags_find_or_create_without_any_key_rejected(connector):
    with pytest.raises(AgsError, match="resource_link_id"):
        _client(connector).find_or_create_line_item(LineItem("x", 1))


def test_ags_lineitem_scope_includes_readonly(connector, rsps):
    rsps.add(responses.GET, LINEITEMS, json=[_item(1)])
    client = _client(connector, scopes=[claims.SCOPE_LINEITEM])
    assert client.can_read_line_items()
    assert [i.label for i in client.list_line_items()] == ["Item 1"]


def test_ags_readonly_scope_cannot_create(connector):
    client = _client(connector, scopes=[claims.SCOPE_LINEITEM_READONLY])
    assert client.can_read_line_items()
    with pytest.raises(AgsError, match="lineitem"):
        client.create_line_item(LineItem("x", 1))


def test_ags_without_lineitem_scopes_cannot_list(connector):
    client = _client(connector, scopes=[claims.SCOPE_SCORE])
    assert not client.can_read_line_items()
    with pytest.raises(AgsError, match="readonly"):
        client.list_line_items()


def test_ags_without_lineitems_url_rejected(connector):
    client = _client(connector, lineitems_url=None)
    with pytest.raises(AgsError, match="no line items URL"):
        client.list_line_items()
    with pytest.raises(AgsError, match="no line items URL"):
        client.create_line_item(LineItem("x", 1))


def test_ags_list_non_list_body_rejected(connector, rsps):
    rsps.add(responses.GET, LINEITEMS, json={"oops": 1})
    with pytest.raises(AgsError, match="did not return a list"):
        _client(connector).list_line_items()


def test_ags_list_unusable_item_rejected(connector, rsps):
    rsps.add(responses.GET, LINEITEMS, json=[{"id": "x"}])
    with pytest.raises(AgsError, match="unusable line item"):
        _client(connector).list_line_items()


def test_ags_list_endless_paging_bounded(connector, rsps, monkeypatch):
    monkeypatch.setattr("lti.ags.MAX_PAGES", 3)
    rsps.add(
        responses.GET,
        LINEITEMS,
        json=[_item(1)],
        headers={"Link": f'<{LINEITEMS}>; rel="next"'},
    )
    with pytest.raises(AgsError, match="more than 3 pages"):
        _client(connector).list_line_items()


def test_ags_create_non_object_body_rejected(connector, rsps):
    rsps.add(responses.POST, LINEITEMS, json=["no"])
    with pytest.raises(AgsError, match="returned no line item"):
        _client(connector).create_line_item(LineItem("x", 1))


def test_ags_get_line_item_non_object_rejected(connector, rsps):
    rsps.add(responses.GET, ITEM, json=[])
    with pytest.raises(AgsError, match="returned no line item"):
        _client(connector).get_line_item(ITEM)


def test_ags_publish_score_posts_score_media_type(connector, rsps, token_endpoint):
    item = ITEM + "?type=grade"
    rsps.add(responses.POST, LINEITEMS + "/7/scores?type=grade", status=204)
    _client(connector).publish_score(item, _score())
    post = rsps.calls[-1].request
    assert post.headers["Content-Type"] == claims.MEDIA_SCORE
    assert post.headers["Authorization"] == "Bearer token-1"
    assert json.loads(post.body) == {
        "userId": "user-42",
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2026-01-02T03:04:05.678Z",
        "scoreGiven": 8.5,
        "scoreMaximum": 10,
    }


def test_ags_publish_many_scores_one_token(connector, rsps, token_endpoint):
    rsps.add(responses.POST, ITEM + "/scores", status=200)
    client = _client(connector)
    for n in range(20):
        client.publish_score(ITEM, _score(user_id=f"u{n}"))
    assert len(token_endpoint.calls) == 1


def test_ags_publish_score_platform_down_carries_status_and_body(connector, rsps):
    rsps.add(responses.POST, ITEM + "/scores", status=503, body="maintenance")
    with pytest.raises(AgsError) as info:
        _client(connector).publish_score(ITEM, _score())
    assert (info.value.status, info.value.body) == (503, "maintenance")
    assert info.value.retryable


def test_ags_publish_score_without_scope_rejected(connector):
    with pytest.raises(AgsError, match="score"):
        _client(connector, scopes=[claims.SCOPE_LINEITEM]).publish_score(ITEM, _score())


def test_ags_get_results_pages_and_parses(connector, rsps):
    page2 = ITEM + "/results?p=2"
    rsps.add(
        responses.GET,
        ITEM + "/results?user_id=user-42",
        json=[{"userId": "user-42", "resultScore": 8, "resultMaximum": 10}],
        headers={"link": f'<{page2}>; rel="next", <{ITEM}>; rel="up"'},
    )
    rsps.add(responses.GET, page2, json=[{"userId": "u2", "comment": "late"}])
    results = _client(connector).get_results(ITEM, user_id="user-42")
    assert results == [
        Result("user-42", 8.0, 10.0),
        Result("u2", None, None, comment="late"),
    ]


def test_ags_get_results_without_scope_rejected(connector):
    with pytest.raises(AgsError, match="result.readonly"):
        _client(connector, scopes=[claims.SCOPE_SCORE]).get_results(ITEM)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"activity_progress": "Done"}, "activityProgress"),
        ({"grading_progress": "Graded"}, "gradingProgress"),
        ({"timestamp": datetime(2026, 1, 1)}, "timezone"),
        ({"score_maximum": None}, "scoreMaximum"),
        ({"score_given": -1}, "scoreGiven"),
    ],
)
def test_score_invalid_values_rejected(overrides, match):
    with pytest.raises(ValueError, match=match):
        _score(**overrides)


def test_score_without_score_given_and_other_timezone_serialises():
    tz = timezone(timedelta(hours=2))
    score = _score(
        score_given=None,
        score_maximum=None,
        activity_progress="Started",
        grading_progress="NotReady",
        timestamp=datetime(2026, 1, 2, 5, 0, tzinfo=tz),
        comment="in progress",
    )
    assert score.to_json() == {
        "userId": "user-42",
        "activityProgress": "Started",
        "gradingProgress": "NotReady",
        "timestamp": "2026-01-02T03:00:00.000Z",
        "comment": "in progress",
    }


def test_service_url_inserts_suffix_before_query():
    assert service_url("https://p/li/7/?a=1", "scores") == "https://p/li/7/scores?a=1"
    assert service_url("https://p/li/7", "results", {"user_id": "u"}) == (
        "https://p/li/7/results?user_id=u"
    )
