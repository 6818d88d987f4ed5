"""Django's PostgreSQL backend, plus a client-side bound on every wait for the server.

The server-side ``statement_timeout`` (settings.py) ends a slow query, and ``connect_timeout``
bounds a connection attempt; but a server (or a network path) that stops answering altogether
never sends the error, and psycopg would wait for its reply for ever, holding a gunicorn thread.
With ``OPTIONS["reply_timeout"]`` (seconds; settings.py sets it for web processes only, a little
above the statement timeout) every wait for a reply on an open connection gives up after that
long: the connection is closed and ``OperationalError`` raised, which the portal answers with
503 (oncology_portal/faults.py). Django's per-request health check of a reused connection
(``CONN_HEALTH_CHECKS``, a ``SELECT 1``) waits no longer than the connect timeout.

Without ``reply_timeout`` (management commands, migrations, the tests' own connections) this
is Django's backend unchanged.
"""

from contextlib import contextmanager

import psycopg
from django.db.backends.postgresql import base
from psycopg.errors import _WaitTimeout  # psycopg's own "wait timeout expired" (3.3)

DEFAULT_HEALTH_CHECK_TIMEOUT = 3.0


class BoundedWait:
    """Replaces a psycopg connection's ``wait``: a reply not received within ``seconds`` closes
    the connection (its protocol state is unknown) and raises ``OperationalError``."""

    def __init__(self, connection, seconds):
        self.connection = connection
        self.seconds = seconds
        self.unbounded = connection.wait
        connection.wait = self

    def __call__(self, gen, interval=None, timeout=None):
        limit = self.seconds if timeout is None else timeout
        options = {"timeout": limit}
        if interval is not None:
            options["interval"] = interval
        try:
            return self.unbounded(gen, **options)
        except _WaitTimeout as exc:
            self.connection.pgconn.finish()
            raise psycopg.OperationalError(
                f"no reply from the database server within {limit:g} s; connection closed"
            ) from exc

    @contextmanager
    def bounded_to(self, seconds):
        saved, self.seconds = self.seconds, min(self.seconds, seconds)
        try:
            yield
        finally:
            self.seconds = saved


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params.pop("reply_timeout", None)
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        seconds = self.settings_dict["OPTIONS"].get("reply_timeout")
        if seconds and not isinstance(connection.wait, BoundedWait):  # a pool reuses connections
            BoundedWait(connection, float(seconds))
        return connection

    def is_usable(self):
        wait = getattr(self.connection, "wait", None)
        if not isinstance(wait, BoundedWait):
            return super().is_usable()
        health_check_timeout = float(
            self.settings_dict["OPTIONS"].get("connect_timeout") or DEFAULT_HEALTH_CHECK_TIMEOUT
        )
        with wait.bounded_to(health_check_timeout):
            return super().is_usable()
