"""The ``hub`` command: serve, worker, migrate, create-admin, api-key, users, demo."""

from __future__ import annotations

import json
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask

from hub import create_app
from hub.errors import HubError
from hub.extensions import db

if TYPE_CHECKING:
    from hub.services.lti_keys import KeyRotation


def _app() -> Flask:
    try:
        return create_app()
    except ValueError as exc:  # settings refused (e.g. a default secret in production)
        raise click.ClickException(str(exc)) from exc


def _fail(exc: HubError) -> click.ClickException:
    detail = "".join(f"\n  {f.field}: {f.message}" for f in exc.fields)
    return click.ClickException(f"{exc.message}{detail}")


@click.group()
def main() -> None:
    """Interop Hub: SCORM, cmi5, xAPI and LTI 1.3 in one service."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the hub with the embedded server (use gunicorn in production)."""
    from werkzeug.serving import run_simple  # noqa: PLC0415

    app = _app()
    settings = app.config["HUB_SETTINGS"]
    if settings.is_production:
        click.echo(
            "warning: in production run gunicorn 'hub.wsgi:app' instead", err=True
        )
    click.echo(f"Interop Hub on http://{host}:{port}  (Ctrl+C stops it)")
    run_simple(host, port, app, threaded=True, use_reloader=False)


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(celery_args: tuple[str, ...]) -> None:
    """Run a Celery worker (needs HUB_BROKER_URL); extra arguments go to Celery."""
    app = _app()
    if app.config["HUB_SETTINGS"].embedded_tasks:
        raise click.ClickException(
            "HUB_BROKER_URL is not set: tasks run in-process, no worker is needed"
        )
    app.extensions["celery"].worker_main(["worker", "--loglevel=INFO", *celery_args])


@main.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from alembic import command  # noqa: PLC0415

    from hub.migrations import alembic_config  # noqa: PLC0415

    app = _app()
    url = app.config["HUB_SETTINGS"].sqlalchemy_url
    command.upgrade(alembic_config(url), "head")
    click.echo("database is up to date")


@main.command("make-migration")
@click.argument("message")
def make_migration(message: str) -> None:
    """Write a new migration from the difference between models and database."""
    from alembic import command  # noqa: PLC0415

    from hub.migrations import alembic_config  # noqa: PLC0415

    app = _app()
    command.revision(
        alembic_config(app.config["HUB_SETTINGS"].sqlalchemy_url),
        message=message,
        autogenerate=True,
    )


@main.command("create-org")
@click.option("--slug", required=True, help="Short name used at sign-in, e.g. 'acme'")
@click.option("--name", required=True)
def create_org(slug: str, name: str) -> None:
    """Create an organization (tenant)."""
    from hub.services.organizations import create_organization  # noqa: PLC0415

    with _app().app_context():
        try:
            with db.transaction() as session:
                org = create_organization(session, slug=slug, name=name)
        except HubError as exc:
            raise _fail(exc) from exc
        click.echo(f"organization '{org.slug}' created")


@main.command("create-admin")
@click.option("--org", "org_slug", required=True, help="Organization slug")
@click.option("--email", required=True)
@click.option("--password", help="Default: a random one, printed once")
@click.option("--org-name", help="Create the organization with this name if missing")
def create_admin(
    org_slug: str, email: str, password: str | None, org_name: str | None
) -> None:
    """Create an organization admin (and the organization with --org-name)."""
    from hub.services.setup import ensure_admin  # noqa: PLC0415

    app = _app()
    password = password or secrets.token_urlsafe(12)
    with app.app_context():
        try:
            with db.transaction() as session:
                ensure_admin(
                    session,
                    org_slug=org_slug,
                    org_name=org_name,
                    email=email,
                    password=password,
                    settings=app.config["HUB_SETTINGS"],
                )
        except HubError as exc:
            raise _fail(exc) from exc
    click.echo(f"admin {email} of '{org_slug}' can sign in with password: {password}")


@main.group("api-key")
def api_key() -> None:
    """Manage API keys for /api/v1."""


@api_key.command("create")
@click.option("--org", "org_slug", required=True)
@click.option("--name", required=True)
def api_key_create(org_slug: str, name: str) -> None:
    """Create a key and print it once (it is stored hashed)."""
    from hub.services.api_keys import create_api_key  # noqa: PLC0415
    from hub.services.organizations import get_organization  # noqa: PLC0415

    with _app().app_context():
        try:
            with db.transaction() as session:
                org = get_organization(session, org_slug)
                new = create_api_key(session, org_id=org.id, name=name)
        except HubError as exc:
            raise _fail(exc) from exc
    click.echo(new.secret)
    click.echo(
        f"(key {new.key.id} '{name}': store it now; it is not shown again)", err=True
    )


@api_key.command("list")
@click.option("--org", "org_slug", required=True)
def api_key_list(org_slug: str) -> None:
    """List keys (never their secrets)."""
    from hub.services.api_keys import list_api_keys  # noqa: PLC0415
    from hub.services.organizations import get_organization  # noqa: PLC0415

    with _app().app_context():
        try:
            org = get_organization(db.session, org_slug)
        except HubError as exc:
            raise _fail(exc) from exc
        for key in list_api_keys(db.session, org_id=org.id):
            state = "revoked" if key.revoked_at else "active"
            used = key.last_used_at.isoformat() if key.last_used_at else "never"
            click.echo(
                f"{key.id}\t{key.name}\thubk_{key.prefix}_…\t{state}\tlast used {used}"
            )


@api_key.command("revoke")
@click.option("--org", "org_slug", required=True)
@click.argument("key_id", type=int)
def api_key_revoke(org_slug: str, key_id: int) -> None:
    """Revoke a key by id."""
    from hub.services.api_keys import revoke_api_key  # noqa: PLC0415
    from hub.services.organizations import get_organization  # noqa: PLC0415

    with _app().app_context():
        try:
            with db.transaction() as session:
                org = get_organization(session, org_slug)
                revoke_api_key(session, org_id=org.id, key_id=key_id)
        except HubError as exc:
            raise _fail(exc) from exc
    click.echo(f"key {key_id} revoked")


@main.group()
def users() -> None:
    """Manage users."""


@users.command("import")
@click.argument(
    "csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--org", "org_slug", required=True)
@click.option(
    "--partial", is_flag=True, help="Import the valid rows even if others fail"
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON")
def users_import(csv_file: Path, org_slug: str, partial: bool, as_json: bool) -> None:
    """Create or update users from a CSV file (all-or-nothing unless --partial)."""
    from hub.services.organizations import get_organization  # noqa: PLC0415
    from hub.services.user_import import import_users_csv  # noqa: PLC0415

    app = _app()
    with app.app_context():
        try:
            with db.transaction() as session, csv_file.open("rb") as stream:
                org = get_organization(session, org_slug)
                report = import_users_csv(
                    session,
                    org_id=org.id,
                    stream=stream,
                    partial=partial,
                    settings=app.config["HUB_SETTINGS"],
                )
        except HubError as exc:
            raise _fail(exc) from exc
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(
            f"{report.total} rows: {report.created} created, {report.updated} updated, "
            f"{report.failed_rows} with errors"
            + ("" if report.applied else "; nothing was written")
        )
        for err in report.errors:
            click.echo(f"  row {err.row}, {err.field}: {err.message}", err=True)
    if report.errors:
        sys.exit(1)


def _print_report(report: dict) -> None:
    title = report.get("title") or "(no title)"
    standard = " ".join(
        str(p) for p in (report.get("standard"), report.get("edition")) if p
    )
    click.echo(f"{report.get('status', 'rejected')}: {title} [{standard or 'unknown'}]")
    for problem in [*report.get("errors", []), *report.get("warnings", [])]:
        where = ":".join(
            str(p)
            for p in (problem.get("file"), problem.get("line"), problem.get("column"))
            if p
        )
        click.echo(
            f"  {problem['severity']}: {where + ': ' if where else ''}"
            f"{problem['message']}"
        )


@main.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--org", "org_slug", help="Import into this organization (else: validate only)"
)
@click.option("--strict", is_flag=True, help="Reject any schema error")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON")
def import_package(
    path: Path, org_slug: str | None, strict: bool, as_json: bool
) -> None:
    """Validate a package zip (or folder); with --org, import it. Exit 1 if rejected."""
    import importers  # noqa: PLC0415
    from hub.services import packages  # noqa: PLC0415
    from hub.services.organizations import get_organization  # noqa: PLC0415

    app = _app()
    settings = app.config["HUB_SETTINGS"]
    version_id = None
    with app.app_context():
        if org_slug is None or path.is_dir():
            limits = packages.extraction_limits(settings)
            result = importers.read_package(path, strict=strict, limits=limits)
            if result.package is not None:
                packages.review_for_hub(result.report, result.package.to_dict())
            report = result.report.to_dict()
            if org_slug is not None:
                raise click.ClickException(
                    "only a zip file can be imported; zip the folder"
                )
        else:
            try:
                org = get_organization(db.session, org_slug)
            except HubError as exc:
                raise _fail(exc) from exc
            job_id = packages.import_file(
                path,
                org_id=org.id,
                strict=strict,
                transaction=db.transaction,
                storage=app.extensions["hub.storage"],
                settings=settings,
            )
            job = packages.get_job(db.session, org_id=org.id, job_id=job_id)
            report, version_id = job.report or {}, job.version_id
    if as_json:
        click.echo(json.dumps(report | {"version_id": version_id}, indent=2))
    else:
        _print_report(report)
        if version_id:
            click.echo(f"imported as package version {version_id}")
    if report.get("status") != "accepted":
        sys.exit(1)


@main.command()
def demo() -> None:
    """Load the demo organization and print how to sign in (embedded mode only)."""
    from hub.services.setup import load_demo, load_demo_packages  # noqa: PLC0415

    app = _app()
    settings = app.config["HUB_SETTINGS"]
    if settings.is_production:
        raise click.ClickException("the demo is not loaded in production")
    with app.app_context():
        with db.transaction() as session:
            info = load_demo(session, settings=settings)
        load_demo_packages(
            transaction=db.transaction,
            settings=settings,
            storage=app.extensions["hub.storage"],
        )
    click.echo("")
    click.echo(f"Demo loaded. Sign in at {settings.base_url.rstrip('/')}/login as")
    for email, role, password in info.accounts:
        click.echo(f"  {role:<10} {email:<28} password: {password}")
    click.echo("")


@main.group()
def lti() -> None:
    """LTI 1.3: platforms and the tool's key pairs."""


@lti.command("add-platform")
@click.option("--org", "org_slug", required=True)
@click.option("--name", required=True)
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--auth-login-url", required=True)
@click.option("--token-url", required=True)
@click.option("--jwks-url", required=True)
@click.option("--audience", default=None, help="Token audience, if not the token URL")
@click.option("--deployment-id", "deployment_ids", multiple=True)
def lti_add_platform(org_slug: str, **values: str | tuple[str, ...] | None) -> None:
    """Register a platform by hand (or update the one with this issuer and client)."""
    from hub.services import lti_platforms  # noqa: PLC0415
    from hub.services.organizations import get_organization  # noqa: PLC0415

    try:
        data = lti_platforms.PlatformIn.model_validate(
            {
                "name": values["name"],
                "issuer": values["issuer"],
                "client_id": values["client_id"],
                "auth_login_url": values["auth_login_url"],
                "auth_token_url": values["token_url"],
                "jwks_url": values["jwks_url"],
                "auth_audience": values["audience"],
                "deployment_ids": list(values["deployment_ids"] or ()),
            }
        )
    except ValueError as exc:  # pydantic's ValidationError
        raise click.ClickException(str(exc)) from exc
    with _app().app_context():
        try:
            with db.transaction() as session:
                org = get_organization(session, org_slug)
                platform = lti_platforms.create_platform(
                    session, org_id=org.id, data=data
                )
                click.echo(f"platform {platform.id} '{platform.name}' registered")
        except HubError as exc:
            raise _fail(exc) from exc


@lti.command("rotate-keys")
@click.option(
    "--now",
    is_flag=True,
    help="Sign with a new key at once (suspected key compromise); the old keys "
    "stay in the JWKS for the grace period, so tokens already signed still verify",
)
@click.option(
    "--max-age-days",
    type=click.FloatRange(min=0, min_open=True),
    help="Start a rotation once the signing key is this old "
    "[default: HUB_SCHEDULE__KEY_MAX_AGE_DAYS, 90]",
)
@click.option(
    "--publish-lead-hours",
    type=click.FloatRange(min=0),
    help="Publish a new key this long before it signs "
    "[default: HUB_SCHEDULE__KEY_PUBLISH_LEAD_HOURS, 24]",
)
@click.option(
    "--grace-days",
    type=click.FloatRange(min=0),
    help="Keep a retired key in the JWKS this long "
    "[default: HUB_SCHEDULE__KEY_GRACE_DAYS, 7]",
)
def lti_rotate_keys(
    now: bool,
    max_age_days: float | None,
    publish_lead_hours: float | None,
    grace_days: float | None,
) -> None:
    """Take the key rotation step that is due, under the schedule's key policy.

    A new key is published once the signing key is older than the maximum age, signs
    only after the publish lead (platforms cache the JWKS), and the old key stays
    published for the grace period. Runs that find nothing due change nothing, so
    this can run from cron (embedded mode). Prints what it did.
    """
    from hub.services import lti_keys  # noqa: PLC0415

    if now and (max_age_days is not None or publish_lead_hours is not None):
        raise click.UsageError(
            "--now rotates at once: --max-age-days and --publish-lead-hours do not apply"
        )
    overrides = {
        "key_max_age_days": max_age_days,
        "key_publish_lead_hours": publish_lead_hours,
        "key_grace_days": grace_days,
    }
    app = _app()
    schedule = app.config["HUB_SETTINGS"].schedule.model_copy(
        update={name: value for name, value in overrides.items() if value is not None}
    )
    with app.app_context():
        try:
            with db.transaction() as session:
                rotation = lti_keys.rotate_tool_keys(
                    app.extensions["hub.lti"].keyring(session),
                    schedule=schedule,
                    now=now,
                )
        except HubError as exc:
            raise _fail(exc) from exc
    _print_rotation(rotation)


def _print_rotation(rotation: KeyRotation) -> None:
    lines = [
        *(
            f"published kid {kid}, signing from {_utc(t)}"
            for kid, t in rotation.published
        ),
        *(f"activated kid {kid}" for kid in rotation.activated),
        *(
            f"retired kid {kid}, in the JWKS until {_utc(t)}"
            for kid, t in rotation.retired
        ),
        *(
            f"removed kid {kid} from the JWKS (grace period over)"
            for kid in rotation.removed
        ),
    ]
    if not lines:
        due = rotation.next_step_at
        lines.append("nothing due" + (f"; next step at {_utc(due)}" if due else ""))
    click.echo("\n".join(lines))


def _utc(moment: datetime | None) -> str:
    # A retired key without an end leaves the JWKS at the next run (lti prune()).
    return (
        "now" if moment is None else f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
    )


@lti.command("deliver-scores")
def lti_deliver_scores() -> None:
    """Send every pending grade again (run from cron in embedded mode)."""
    from hub.tasks.lti import sweep_lti_scores  # noqa: PLC0415

    app = _app()
    with app.app_context():
        click.echo(f"{sweep_lti_scores()} pending score(s) sent")


@lti.command("sync-rosters")
@click.option(
    "--differences",
    is_flag=True,
    help="Fetch only the changes since the last sync where the platform offers it",
)
def lti_sync_rosters(differences: bool) -> None:
    """Sync the roster (NRPS) of every context that has a course (schedule it)."""
    from hub.services import lti_roster  # noqa: PLC0415

    app = _app()
    with app.app_context():
        targets = lti_roster.syncable_contexts(db.session)
        for org_id, context_pk in targets:
            with db.transaction() as session:
                result = lti_roster.sync_roster(
                    session,
                    tool=app.extensions["hub.lti"],
                    org_id=org_id,
                    context_pk=context_pk,
                    differences=differences,
                )
            state = f"error: {result.error}" if result.error else "ok"
            click.echo(
                f"context {context_pk}: {result.enrolled} present, "
                f"{result.deactivated} deactivated, {state}"
            )
