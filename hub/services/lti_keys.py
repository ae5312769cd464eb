"""Tool key rotation under the schedule's key policy (Security Framework 1.0 §6.3,
https://www.imsglobal.org/spec/security/v1p0/#h_key-set-url), shared by the
``hub.rotate_lti_keys`` task and ``hub lti rotate-keys``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.config import ScheduleSettings
from lti import KeyStatus, RotationStep, StoredKey, ToolKeyring, rotate_keys


@dataclass(frozen=True)
class KeyRotation:
    """What one rotation run did, from the keys before and after it.

    Attributes:
        step: The ``lti.rotate_keys`` step (``ACTIVATED_PENDING`` for ``now``).
        published: (kid, when it starts signing) of each new key.
        activated: Kids of the keys that became the signing key.
        retired: (kid, when it leaves the JWKS) of each key that stopped signing.
        removed: Kids of retired keys dropped from the JWKS (grace period over).
        next_step_at: When the next step falls due under the policy, if ever.
    """

    step: RotationStep
    published: list[tuple[str, datetime]]
    activated: list[str]
    retired: list[tuple[str, datetime | None]]
    removed: list[str]
    next_step_at: datetime | None


@dataclass(frozen=True)
class _Policy:
    rotate_after: timedelta
    publish_lead: timedelta
    grace: timedelta


def _policy(schedule: ScheduleSettings) -> _Policy:
    return _Policy(
        rotate_after=timedelta(days=schedule.key_max_age_days),
        publish_lead=timedelta(hours=schedule.key_publish_lead_hours),
        grace=timedelta(days=schedule.key_grace_days),
    )


def rotate_tool_keys(
    keyring: ToolKeyring, *, schedule: ScheduleSettings, now: bool = False
) -> KeyRotation:
    """Take the rotation step that is due under ``schedule``'s key policy, if any.

    A new key is published once the signing key is ``key_max_age_days`` old, signs
    after ``key_publish_lead_hours`` in the JWKS (platforms cache it), and the old key
    stays published for ``key_grace_days``. ``now`` (a suspected compromise) skips the
    age and the lead: a new key signs at once and every earlier key retires with the
    grace period, so tokens already signed still verify.
    """
    policy = _policy(schedule)
    before = _keys(keyring)
    if now:
        step = _rotate_now(keyring, grace=policy.grace)
    else:
        step = rotate_keys(
            keyring,
            rotate_after=policy.rotate_after,
            publish_lead=policy.publish_lead,
            grace=policy.grace,
        )
    after = _keys(keyring)
    return _compare(step, before, after, policy)


def _rotate_now(keyring: ToolKeyring, *, grace: timedelta) -> RotationStep:
    keyring.prune()
    # A pending key left behind would become the signing key at the next scheduled
    # step, and it was stored with the suspect ones: activating it in passing
    # retires it with the others (activate() only retires the active key).
    for key in keyring.keys_with_status(KeyStatus.PENDING):
        keyring.activate(key.kid, grace=grace)
    fresh = keyring.generate(KeyStatus.PENDING)
    keyring.activate(fresh.kid, grace=grace)
    return RotationStep.ACTIVATED_PENDING


def _keys(keyring: ToolKeyring) -> dict[str, StoredKey]:
    return {
        key.kid: key for status in KeyStatus for key in keyring.keys_with_status(status)
    }


def _became(
    before: dict[str, StoredKey], after: dict[str, StoredKey], status: KeyStatus
) -> list[StoredKey]:
    return [
        key
        for kid, key in after.items()
        if key.status is status and (kid not in before or before[kid].status != status)
    ]


def _compare(
    step: RotationStep,
    before: dict[str, StoredKey],
    after: dict[str, StoredKey],
    policy: _Policy,
) -> KeyRotation:
    published = [
        (
            key.kid,
            key.created_at
            + (policy.publish_lead if key.status is KeyStatus.PENDING else timedelta()),
        )
        for kid, key in after.items()
        if kid not in before
    ]
    return KeyRotation(
        step=step,
        published=published,
        activated=[key.kid for key in _became(before, after, KeyStatus.ACTIVE)],
        retired=[
            (key.kid, key.retire_after)
            for key in _became(before, after, KeyStatus.RETIRED)
        ],
        removed=[kid for kid in before if kid not in after],
        next_step_at=_next_step_at(list(after.values()), policy),
    )


def _next_step_at(keys: list[StoredKey], policy: _Policy) -> datetime | None:
    keys = sorted(keys, key=lambda k: k.created_at)
    due = [k.retire_after for k in keys if k.retire_after is not None]
    pending = [k for k in keys if k.status is KeyStatus.PENDING]
    active = [k for k in keys if k.status is KeyStatus.ACTIVE]
    if pending:
        due.append(pending[0].created_at + policy.publish_lead)
    elif active:
        due.append(active[-1].created_at + policy.rotate_after)
    return min(due, default=None)
