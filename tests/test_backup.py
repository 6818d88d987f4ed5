"""`backup_portal` / `restore_portal`: a round trip into a fresh database restores every row of
every table, history included, with equal values (datetimes to the microsecond), on SQLite and
on PostgreSQL (whichever the suite runs on); a restore that cannot be complete changes nothing.

The backup is taken in-process from the test's database (seed data plus this test's edits); the
fresh database is created, migrated and restored by `manage.py` in a subprocess, as an operator
would; the tables are then compared here, table by table and row by row.
"""

import copy
import gzip
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections

from departments.models import CancerType, Department
from oncology_portal.backup import backed_up_models
from trials.models import Trial

from .helpers import PASSWORD, admin_url, change_form_id, form_data

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_TESTING": "true"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _postgres_url(config, name):
    user = quote(config["USER"] or "")
    password = f":{quote(config['PASSWORD'])}" if config["PASSWORD"] else ""
    return f"postgres://{user}{password}@{config['HOST']}:{config['PORT'] or 5432}/{name}"


def _postgres_admin(config):
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"] or 5432,
        autocommit=True,
    )


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory, django_db_setup):
    """An empty database migrated by `manage.py migrate`, copied for each test (fast)."""
    config = connections["default"].settings_dict
    if config["ENGINE"].endswith("sqlite3"):
        path = tmp_path_factory.mktemp("backup") / "template.sqlite3"
        result = manage("migrate", "--noinput", "-v0", database_url=f"sqlite:///{path}")
        assert result.returncode == 0, result.stderr
        yield ("sqlite", path)
        return
    name = f"backup_template_{uuid.uuid4().hex[:10]}"
    with _postgres_admin(config) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        result = manage("migrate", "--noinput", "-v0", database_url=_postgres_url(config, name))
        assert result.returncode == 0, result.stderr
        yield ("postgresql", name)
    finally:
        with _postgres_admin(config) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_database(migrated_template, tmp_path):
    """A fresh, migrated, empty database: its DATABASE_URL, and an alias to read it here."""
    config = connections["default"].settings_dict
    kind, template = migrated_template
    alias = f"fresh_{uuid.uuid4().hex[:8]}"
    settings_dict = copy.deepcopy(connections.settings["default"])
    if kind == "sqlite":
        path = tmp_path / "fresh.sqlite3"
        shutil.copy(template, path)
        url, name = f"sqlite:///{path}", str(path)
    else:
        name = f"backup_fresh_{uuid.uuid4().hex[:10]}"
        with _postgres_admin(config) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = _postgres_url(config, name)
    settings_dict["NAME"] = name
    connections.settings[alias] = settings_dict
    # Connected here, outside pytest-django's guard for aliases the test did not declare
    # (it checks only connections not yet open).
    connections[alias].connect()
    try:
        yield url, alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]
        if kind == "postgresql":
            with _postgres_admin(config) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_rows(model, alias):
    names = [field.attname for field in model._meta.concrete_fields]
    return list(model._base_manager.using(alias).order_by("pk").values_list(*names))


@pytest.fixture
def edited_portal(curator_client, client, portal_data):
    """The seed data plus what staff do: an admin edit (history with a user and a reason),
    trial links changed (history of many-to-many fields), a failed login, a session."""
    department = Department.objects.get(slug="fahzu-medical-oncology-3")
    url = admin_url(Department, "change", department.pk)
    page = curator_client.get(url)
    data = form_data(page, change_form_id(Department), phone="+86 571 0000 0000")
    assert curator_client.post(url, data).status_code == 302
    trial = Trial.objects.filter(cancer_types__isnull=False).first()
    trial.cancer_types.add(CancerType.objects.exclude(trials=trial).first())
    client.post("/admin/login/", {"username": "nobody", "password": "wrong"})
    get_user_model().objects.create_user("restored-user", password=PASSWORD)
    return department


def test_round_trip_restores_every_row_of_every_table_with_equal_values(
    edited_portal, fresh_database, tmp_path
):
    url, alias = fresh_database
    backup = tmp_path / "portal.jsonl.gz"
    call_command("backup_portal", str(backup), verbosity=0)

    result = manage("restore_portal", str(backup), database_url=url)
    assert result.returncode == 0, result.stderr
    assert "every table's row count matches the backup" in result.stdout

    models = backed_up_models("default")
    labels = {model._meta.label_lower for model in models}
    # History, many-to-many link tables, users and login records are all part of it.
    assert {
        "departments.historicaldepartment",
        "trials.historicaltrial",
        "trials.trial_cancer_types",
        "auth.user",
        "axes.accessattempt",
        "sessions.session",
    } <= labels
    total = 0
    for model in models:
        source, restored = table_rows(model, "default"), table_rows(model, alias)
        assert len(restored) == len(source), model._meta.label
        assert restored == source, model._meta.label
        total += len(source)
    print(f"round trip: {total} rows in {len(models)} tables equal")
    assert total > 2000

    # History came back as it was: no row added by the restore, dates to the microsecond.
    history = Department.history.filter(slug="fahzu-medical-oncology-3").order_by("history_id")
    restored_history = (
        Department.history.using(alias)
        .filter(slug="fahzu-medical-oncology-3")
        .order_by("history_id")
    )
    assert [h.history_date for h in restored_history] == [h.history_date for h in history]
    assert any(h.history_date.microsecond % 1000 for h in history)
    assert restored_history.last().phone == "+86 571 0000 0000"
    assert Trial.history.using(alias).count() == Trial.history.count()


def test_the_restored_database_accepts_new_rows_after_the_restored_ids(
    edited_portal, fresh_database, tmp_path
):
    """Sequences are moved past the restored ids (the PostgreSQL duplicate-key failure)."""
    url, alias = fresh_database
    backup = tmp_path / "portal.jsonl"
    call_command("backup_portal", str(backup), verbosity=0)
    assert manage("restore_portal", str(backup), database_url=url).returncode == 0
    for model in (Trial.history.model, Department.history.model):
        rows = model.objects.using(alias)
        newest = rows.order_by("-history_id").first()
        copy_of_it = rows.get(history_id=newest.history_id)
        copy_of_it.history_id = None
        copy_of_it.save(using=alias)  # the next id from the sequence: no duplicate key
        assert copy_of_it.history_id > newest.history_id
    largest = Department.objects.using(alias).order_by("-pk").first()
    added = Department.objects.using(alias).create(
        hospital_id=largest.hospital_id, name="After the restore", slug="after-the-restore"
    )
    assert added.pk > largest.pk


def test_a_database_holding_data_is_refused_unless_replace(edited_portal, fresh_database, tmp_path):
    url, alias = fresh_database
    backup = tmp_path / "portal.jsonl.gz"
    call_command("backup_portal", str(backup), verbosity=0)
    assert manage("restore_portal", str(backup), database_url=url).returncode == 0
    Department.objects.using(alias).filter(slug="fahzu-medical-oncology-1").update(phone="changed")

    again = manage("restore_portal", str(backup), database_url=url)
    assert again.returncode != 0
    assert "already holds data" in again.stderr
    assert "Traceback" not in again.stderr
    assert Department.objects.using(alias).get(slug="fahzu-medical-oncology-1").phone == "changed"

    replaced = manage("restore_portal", str(backup), "--replace", database_url=url)
    assert replaced.returncode == 0, replaced.stderr
    assert Department.objects.using(alias).get(slug="fahzu-medical-oncology-1").phone != "changed"


def test_an_incomplete_or_foreign_backup_changes_nothing(edited_portal, fresh_database, tmp_path):
    url, alias = fresh_database
    backup = tmp_path / "portal.jsonl"
    call_command("backup_portal", str(backup), verbosity=0)
    lines = backup.read_text(encoding="utf-8").splitlines(keepends=True)

    truncated = tmp_path / "truncated.jsonl.gz"
    with gzip.open(truncated, "wt", encoding="utf-8") as stream:
        stream.writelines(lines[: len(lines) // 2])
    result = manage("restore_portal", str(truncated), database_url=url)
    assert result.returncode != 0
    assert "incomplete" in result.stderr
    assert "Traceback" not in result.stderr
    assert not Department.objects.using(alias).exists()

    header = json.loads(lines[0])
    header["portal_backup"]["migrations"].append("departments.9999_from_the_future")
    other_release = tmp_path / "other-release.jsonl"
    other_release.write_text(json.dumps(header) + "\n" + "".join(lines[1:]), encoding="utf-8")
    result = manage("restore_portal", str(other_release), database_url=url)
    assert result.returncode != 0
    assert "departments.9999_from_the_future" in result.stderr
    assert "migrate" in result.stderr

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello\n", encoding="utf-8")
    result = manage("restore_portal", str(not_a_backup), database_url=url)
    assert result.returncode != 0
    assert "not a portal backup" in result.stderr
    missing = manage("restore_portal", str(tmp_path / "missing.jsonl"), database_url=url)
    assert missing.returncode != 0
    assert "Traceback" not in missing.stderr
    assert not Department.objects.using(alias).exists()
