"""after_commit: external effects run only when the transaction commits."""

from hub.db import after_commit


def test_after_commit_runs_on_commit_only_once(session):
    calls = []
    after_commit(session, lambda: calls.append("sent"))
    assert calls == []
    session.commit()
    assert calls == ["sent"]
    session.commit()
    assert calls == ["sent"]


def test_after_commit_is_dropped_on_rollback(session):
    calls = []
    after_commit(session, lambda: calls.append("sent"))
    session.rollback()
    session.commit()
    assert calls == []
