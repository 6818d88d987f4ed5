"""The data version: one value, shared by every process, that every write moves.

Whatever is derived from the directory's data and kept between requests (the page cache, the
counts on busy pages) is keyed on it, so nothing derived from old data is served after a write.
What moves it: see oncology_portal/pagecache.py (signals on every write) and manage.py (every
management command).
"""

import uuid

from django.core.cache import cache
from django.db import transaction

DATA_VERSION_KEY = "portal:data-version"


def shared_version(key):
    """The version kept under `key` in the shared cache (created on first use, the same for
    every process)."""
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        version = cache.get(key) or "unversioned"
    return version


def move_version(key):
    cache.set(key, uuid.uuid4().hex, timeout=None)


def data_version():
    """The current data version."""
    return shared_version(DATA_VERSION_KEY)


def _new_version():
    move_version(DATA_VERSION_KEY)


def bump_data_version():
    """Data changed: pages cached so far are never served again.

    Moved at once and again when the surrounding transaction commits, so a page rendered
    from the old data while the transaction was open is not served after it either.
    """
    _new_version()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_new_version)


def cached(name, compute, *, timeout=None):
    """`compute()`, kept in the shared cache until the data version moves."""
    key = f"portal:derived:{name}:{data_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value
