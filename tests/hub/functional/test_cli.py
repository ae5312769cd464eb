"""The ``hub`` command, run as a user runs it: in its own process."""

import json
import os
import subprocess
import sys
import uuid

import pytest

from tests.hub.conftest import TEST_SECRET, create_postgres_database, postgres_base_url


@pytest.fixture(scope="module")
def hub_env(tmp_path_factory):
    instance = tmp_path_factory.mktemp("cli-instance")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HUB_INSTANCE_DIR=str(instance), HUB_SECRET_KEY=TEST_SECRET)
    if postgres_base_url() is not None:
        env["HUB_DATABASE_URL"] = create_postgres_database(
            f"hub_cli_{uuid.uuid4().hex[:8]}"
        )
    result = run(env, "migrate")
    assert result.returncode == 0, result.stderr
    return env


def run(env, *args, **overrides):
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        env={**env, **overrides},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_create_admin_prints_credentials_and_they_work(hub_env):
    result = run(
        hub_env,
        "create-admin",
        "--org",
        "acme",
        "--org-name",
        "Acme",
        "--email",
        "root@example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "password:" in result.stdout
    again = run(
        hub_env,
        "create-admin",
        "--org",
        "acme",
        "--email",
        "root@example.com",
        "--password",
        "a new long password",
    )
    assert again.returncode == 0, again.stderr


def test_cli_create_admin_errors_are_clear(hub_env):
    result = run(
        hub_env, "create-admin", "--org", "nowhere", "--email", "a@example.com"
    )
    assert result.returncode != 0
    assert "no organization 'nowhere'" in result.stderr
    result = run(
        hub_env,
        "create-admin",
        "--org",
        "acme2",
        "--org-name",
        "A",
        "--email",
        "not-an-email",
    )
    assert result.returncode != 0 and "email" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_api_key_create_list_revoke(hub_env):
    run(hub_env, "create-org", "--slug", "keys", "--name", "Keys Inc")
    created = run(hub_env, "api-key", "create", "--org", "keys", "--name", "HR sync")
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("hubk_")
    listing = run(hub_env, "api-key", "list", "--org", "keys").stdout
    assert "HR sync" in listing and secret not in listing and "active" in listing
    key_id = listing.split("\t")[0]
    assert run(hub_env, "api-key", "revoke", "--org", "keys", key_id).returncode == 0
    assert "revoked" in run(hub_env, "api-key", "list", "--org", "keys").stdout
    missing = run(hub_env, "api-key", "create", "--org", "ghost", "--name", "x")
    assert missing.returncode != 0 and "no organization 'ghost'" in missing.stderr


def test_cli_create_org_rejects_bad_slug_and_duplicates(hub_env):
    bad = run(hub_env, "create-org", "--slug", "Not A Slug!", "--name", "x")
    assert bad.returncode != 0 and "slug" in bad.stderr
    run(hub_env, "create-org", "--slug", "dupe", "--name", "x")
    dup = run(hub_env, "create-org", "--slug", "dupe", "--name", "x")
    assert dup.returncode != 0 and "already exists" in dup.stderr


def test_cli_users_import_all_or_nothing_partial_and_json(hub_env, tmp_path):
    run(hub_env, "create-org", "--slug", "hr", "--name", "HR")
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("email,department\nok@example.com,Sales\nbroken,Sales\n")
    result = run(hub_env, "users", "import", str(csv_file), "--org", "hr", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["applied"] is False and report["created"] == 0
    assert report["errors"][0]["row"] == 3 and report["errors"][0]["field"] == "email"
    result = run(hub_env, "users", "import", str(csv_file), "--org", "hr", "--partial")
    assert result.returncode == 1
    assert "1 created" in result.stdout and "row 3, email" in result.stderr
    csv_file.write_text("email\nok@example.com\n")
    result = run(hub_env, "users", "import", str(csv_file), "--org", "hr")
    assert result.returncode == 0 and "1 updated" in result.stdout
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = run(hub_env, "users", "import", str(empty), "--org", "hr")
    assert result.returncode != 0 and "is empty" in result.stderr


def test_cli_demo_is_idempotent_and_prints_the_same_logins(hub_env):
    first = run(hub_env, "demo")
    assert first.returncode == 0, first.stderr
    second = run(hub_env, "demo")
    assert second.returncode == 0, second.stderr
    assert "admin@example.com" in first.stdout
    assert first.stdout == second.stdout


def test_cli_worker_without_broker_explains(hub_env):
    result = run(hub_env, "worker")
    assert result.returncode != 0 and "HUB_BROKER_URL is not set" in result.stderr


def test_cli_refuses_production_with_default_secret(hub_env):
    env = {k: v for k, v in hub_env.items() if k != "HUB_SECRET_KEY"}
    result = run(env, "migrate", HUB_ENV="production")
    assert result.returncode != 0 and "HUB_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
