"""Production settings fail loudly without a secret key and allowed hosts; '*' is refused."""

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def run_settings(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base["DJANGO_SETTINGS_MODULE"] = "oncology_portal.settings"
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        env={**base, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_ALLOWED_HOSTS": "portal.example.org"}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_SECRET_KEY": "x" * 50}, "DJANGO_ALLOWED_HOSTS must be set"),
        ({"DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "*"}, "'*' is refused"),
    ],
)
def test_production_settings_refuse_to_start_when_incomplete(env, message):
    result = run_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_start_when_complete():
    result = run_settings(DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="portal.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_database_url_selects_the_database():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.db import connection; "
            "print(connection.vendor, connection.settings_dict['NAME'])",
        ],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "oncology_portal.settings",
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": "postgres://someone@db.example.org:5432/portal",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["postgresql", "portal"]


def test_tests_need_no_collectstatic():
    """Tests and debug serve static files from the finders, not from STATIC_ROOT."""
    assert settings.WHITENOISE_USE_FINDERS is True
    assert "Manifest" not in settings.STORAGES["staticfiles"]["BACKEND"]


VERSION_SCRIPT = (
    "import sys, django; django.setup();"
    "from departments.search.vocabulary import current_version, reset_vocabulary_cache;"
    "reset_vocabulary_cache() if sys.argv[1] == 'bump' else None;"
    "print(current_version())"
)


def test_production_cache_is_shared_between_worker_processes(tmp_path):
    """A vocabulary change seen by one gunicorn worker reaches the others (no stale search)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "oncology_portal.settings",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "DJANGO_CACHE_DIR": str(tmp_path / "cache"),
    }
    env.pop("CACHE_URL", None)

    def run(arg):
        result = subprocess.run(
            [sys.executable, "-c", VERSION_SCRIPT, arg],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    bumped = run("bump")
    assert run("read") == bumped
    assert run("bump") != bumped
    cache_dir = tmp_path / "cache"
    assert cache_dir.is_dir()
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700  # private to the portal's user


def test_production_refuses_a_cache_folder_others_can_write(tmp_path):
    """Nothing executes data from a path another user can prepare: a world-writable cache
    folder (as a planted one would be) stops the portal with a clear message."""
    planted = tmp_path / "planted"
    planted.mkdir()
    planted.chmod(0o777)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "oncology_portal.settings",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "DJANGO_CACHE_DIR": str(planted),
    }
    env.pop("CACHE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "must belong to this user and be private (chmod 700)" in result.stderr


def test_the_default_cache_folder_is_per_user_and_per_installation(tmp_path):
    """Two portals on one host never share it: without CACHE_URL the folder is in the portal
    user's home (here a temporary HOME), named after this installation's path, and private."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "oncology_portal.settings",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "HOME": str(tmp_path),
    }
    env.pop("CACHE_URL", None)
    script = "import django; django.setup(); from django.conf import settings as s; " + (
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    backend, location = result.stdout.split()
    installation = hashlib.sha256(str(settings.BASE_DIR).encode()).hexdigest()[:12]
    assert backend.endswith("FileBasedCache")
    assert Path(location) == tmp_path / ".cache" / f"oncology-portal-{installation}"
    assert stat.S_IMODE(Path(location).stat().st_mode) == 0o700


def test_redis_cache_url_is_supported():
    from environ import Env

    config = Env.cache_url_config("redis://127.0.0.1:6379/1")
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    import redis  # the client Django's Redis backend needs, pinned in pyproject.toml

    assert redis.__version__
