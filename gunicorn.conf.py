"""gunicorn's configuration for the Oncology Portal in production.

    gunicorn -c gunicorn.conf.py oncology_portal.wsgi

Used by the Dockerfile and the README's deployment section. gunicorn must stand behind a
reverse proxy (nginx) that buffers whole requests and responses: a slow client then holds an
nginx connection, not a gunicorn thread.

Threaded workers (gthread): each worker process runs THREADS requests at once and keeps idle
keep-alive connections in its event loop, so one slow page, one slow client or a database that
stops answering occupies one thread, not the whole worker; static files and /robots.txt keep
being served by the others. Every wait on the database is bounded well inside ``timeout``
(settings.py: connect 3 s, statement 10 s, no reply 12 s), so a request fails with 503 long
before the worker is considered stuck.

Settings from the environment (all optional):

    GUNICORN_BIND           address to listen on        127.0.0.1:$PORT (PORT: 8000)
    WEB_CONCURRENCY         worker processes            one per CPU, 2 to 8
    GUNICORN_THREADS        threads per worker          4
    GUNICORN_WORKER_CLASS   worker class                gthread
    GUNICORN_TIMEOUT        seconds before a silent worker is restarted       30
    GUNICORN_GRACEFUL_TIMEOUT  seconds to finish requests on restart/stop     30
    GUNICORN_KEEPALIVE      seconds an idle keep-alive connection stays open  5
    GUNICORN_MAX_REQUESTS   requests before a worker is replaced (0: never)   1000
    GUNICORN_LOG_LEVEL      gunicorn's own log level                          info
    GUNICORN_CONTROL_SOCKET path of gunicorn's control socket (gunicornc)     none
    FORWARDED_ALLOW_IPS     proxies trusted for X-Forwarded-* (gunicorn's own variable)
"""

import os

_env = os.environ


def _int(name, default):
    return int(_env.get(name) or default)


bind = [_env.get("GUNICORN_BIND") or f"127.0.0.1:{_env.get('PORT') or 8000}"]

worker_class = _env.get("GUNICORN_WORKER_CLASS") or "gthread"
# Each thread keeps its own database connection (DJANGO_CONN_MAX_AGE): workers × threads
# connections per instance, to keep under PostgreSQL's max_connections (100 by default).
workers = _int("WEB_CONCURRENCY", min(8, max(2, os.cpu_count() or 1)))
threads = _int("GUNICORN_THREADS", 4)
# Connections a worker holds at once (in flight + idle keep-alive), beyond which it stops
# accepting; the proxy queues the rest.
worker_connections = _int("GUNICORN_WORKER_CONNECTIONS", 1000)

# A worker whose main loop is silent this long is killed and replaced. Requests never get near
# it: the database waits are bounded (settings.py) and the proxy buffers slow clients.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On HUP (reload), TERM or max_requests: finish the requests in flight for up to this long.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Idle keep-alive connections from the proxy (nginx: `keepalive` in the upstream block).
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Replace each worker after about this many requests (slow leaks never grow without bound);
# the jitter keeps the workers from restarting all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", max(1, max_requests // 10))

# Heartbeat files on a memory file system (a container's /tmp may be a slow overlay).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Logs: access log on stdout, errors (and Django's log) on stderr. The access log names the
# proxy's client (X-Forwarded-For), the status, the size and the time taken in milliseconds.
accesslog = "-"
errorlog = "-"
loglevel = _env.get("GUNICORN_LOG_LEVEL") or "info"
access_log_format = (
    '%(h)s %({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
)
proc_name = "oncology-portal"

# gunicorn's control socket (gunicornc) is off unless a path is given: by default every
# gunicorn of a user would share one path, and two portals (or a soak beside the site) collide.
control_socket_disable = not _env.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = _env["GUNICORN_CONTROL_SOCKET"]
