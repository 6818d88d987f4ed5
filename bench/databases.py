"""The benchmark's own PostgreSQL databases: created when missing, migrated, filled.

Seed: migrate + load_portal_data. Large: a copy of the seed database (createdb -T) plus
generate_synthetic_data, reused while its synthetic row counts (its rows minus the seed's)
match the requested size. A template (e.g. an existing `portal_large`) can be copied instead
of generating; it is used only if its counts match too.
"""

import os
import subprocess

import psycopg
from psycopg import sql

from .config import PG_URL, PYTHON, ROOT

COUNTED_TABLES = {
    "departments": "departments_department",
    "hospitals": "departments_hospital",
    "trials": "trials_trial",
}


def database_url(name):
    return f"{PG_URL}/{name}"


def django_env(name, **extra):
    """Environment for a Django process on database `name` (debug off)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(name),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnop",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        **extra,
    }


def manage(name, *args):
    print(f"  [{name}] manage.py {' '.join(args)}", flush=True)
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=django_env(name), check=True)


def _server():
    return psycopg.connect(database_url("postgres"), autocommit=True)


def exists(name):
    with _server() as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def create(name, template=None):
    print(f"  creating database {name}" + (f" from {template}" if template else ""), flush=True)
    query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
    with _server() as conn:
        conn.execute(query)


def drop(name):
    print(f"  dropping database {name}", flush=True)
    with _server() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def settle(name):
    """VACUUM (ANALYZE): the database as autovacuum leaves it at rest (fresh statistics, and the
    visibility map that index-only scans need), whatever the last migration or load did; then a
    CHECKPOINT, so the pages it wrote are not being flushed while pages are timed."""
    print(f"  [{name}] VACUUM (ANALYZE); CHECKPOINT", flush=True)
    with psycopg.connect(database_url(name), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")


def counts(name):
    with psycopg.connect(database_url(name)) as conn:
        return {
            key: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for key, table in COUNTED_TABLES.items()
        }


def server_version():
    with _server() as conn:
        return conn.execute("SELECT version()").fetchone()[0]


def synthetic_counts(name, seed_counts):
    return {key: n - seed_counts[key] for key, n in counts(name).items()}


def ensure_seed(name):
    """Create if missing, migrate, load the seed data (idempotent); return its row counts."""
    if not exists(name):
        create(name)
    manage(name, "migrate", "--noinput", "-v0")
    manage(name, "load_portal_data")
    settle(name)
    return counts(name)


def _matches(name, size, seed_counts):
    found = synthetic_counts(name, seed_counts)
    ok = found == size.counted()
    verdict = "match" if ok else "no match"
    print(f"  {name}: synthetic rows {found}, wanted {size.counted()}: {verdict}")
    return ok


def _copy_template(scale, seed_counts):
    if not (scale.template and exists(scale.template)):
        return False
    try:
        create(scale.database, template=scale.template)
    except psycopg.errors.ObjectInUse as error:  # another session is connected to it
        print(f"  cannot copy {scale.template} ({error}); generating instead")
        return False
    manage(scale.database, "migrate", "--noinput", "-v0")
    if _matches(scale.database, scale.size, seed_counts):
        return True
    drop(scale.database)
    return False


def _generate(scale, seed_db):
    create(scale.database, template=seed_db)
    manage(scale.database, "generate_synthetic_data", *scale.size.generator_args())


def ensure_large(scale, seed_db, seed_counts, rebuild=False):
    """A database holding the seed data plus the requested synthetic rows; return its counts."""
    if exists(scale.database):
        if not rebuild:
            manage(scale.database, "migrate", "--noinput", "-v0")
        if rebuild or not _matches(scale.database, scale.size, seed_counts):
            drop(scale.database)
    if not exists(scale.database) and not _copy_template(scale, seed_counts):
        _generate(scale, seed_db)
        if not _matches(scale.database, scale.size, seed_counts):
            print(f"  WARNING: {scale.database} does not hold the requested synthetic rows")
    settle(scale.database)
    return counts(scale.database)
