"""Settings for the Oncology Portal, read from the environment (django-environ).

With DJANGO_DEBUG off (the default) the portal refuses to start without DJANGO_SECRET_KEY and
DJANGO_ALLOWED_HOSTS. DATABASE_URL selects the database; unset, an SQLite file in the project
folder is used.
"""

import datetime
import hashlib
import os
import re
import sys
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.log import DEFAULT_LOGGING

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

TESTING = "pytest" in sys.modules or env.bool("DJANGO_TESTING", default=False)
DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

if DEBUG or TESTING:
    SECRET_KEY = SECRET_KEY or "insecure-development-key-not-for-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver", "[::1]"]
else:
    if not SECRET_KEY:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name hosts; '*' is refused.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "simple_history",
    "import_export",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "axes",
    "departments",
    "trials",
    "oncology_portal",
    "api",
    "fhir_api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "oncology_portal.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CORS for the open-data API only (CORS_URLS_REGEX): before anything that answers early.
    "corsheaders.middleware.CorsMiddleware",
    # A view that finds the database down or hung answers 503 + Retry-After, one log line
    # (a middleware's database error reaches handler500, oncology_portal.faults.server_error).
    "oncology_portal.faults.DatabaseFaultMiddleware",
    "oncology_portal.pagecache.PageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the URL alone (/zh-hans/… or unprefixed English): see i18n.py.
    "oncology_portal.i18n.URLLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a login refused for too many failures into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oncology_portal.urls"
WSGI_APPLICATION = "oncology_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Database faults degrade, never hang: every wait on the database is bounded, and a page that
# finds it down answers 503 with Retry-After (oncology_portal/faults.py).
# - connecting: DJANGO_DB_CONNECT_TIMEOUT seconds (PostgreSQL connect_timeout; psycopg's
#   minimum is 2), in every process;
# - a statement: DJANGO_DB_STATEMENT_TIMEOUT seconds (PostgreSQL statement_timeout), and a
#   server that sends no reply at all is given up DB_REPLY_MARGIN seconds later
#   (oncology_portal/postgresql/). Web processes only: oncology_portal/wsgi.py sets
#   DJANGO_SERVING_WEB, so migrations, load_portal_data, backups, the benchmark's generator and
#   the tests run without a statement timeout, however long they take;
# - SQLite: DJANGO_DB_BUSY_TIMEOUT seconds waiting for another connection's lock.
SERVING_WEB = env.bool("DJANGO_SERVING_WEB", default=False)
DB_CONNECT_TIMEOUT = env.int("DJANGO_DB_CONNECT_TIMEOUT", default=3)
DB_STATEMENT_TIMEOUT = env.float("DJANGO_DB_STATEMENT_TIMEOUT", default=10) if SERVING_WEB else 0
DB_REPLY_MARGIN = 2
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend plus the bound on waiting for a reply (oncology_portal/postgresql/).
    DATABASES["default"]["ENGINE"] = "oncology_portal.postgresql"
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    # Short web queries: PostgreSQL's JIT compiles for longer than they run (measured: +1 s on
    # the directory's filtered query at 50,000 departments).
    _db_options.setdefault("options", "-c jit=off")
    _db_options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    if DB_STATEMENT_TIMEOUT > 0:
        _db_options["options"] += f" -c statement_timeout={round(DB_STATEMENT_TIMEOUT * 1000)}"
        _db_options.setdefault("reply_timeout", DB_STATEMENT_TIMEOUT + DB_REPLY_MARGIN)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "timeout", env.float("DJANGO_DB_BUSY_TIMEOUT", default=5)
    )
    # A transaction takes the write lock when it begins, so two simultaneous admin saves of one
    # record run one after the other and the second sees the first's version (the conflict
    # message, as select_for_update gives on PostgreSQL), instead of failing with "database is
    # locked" when a read lock cannot be upgraded.
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# The page cache, the data version and the search vocabulary live in the cache, so every worker
# process must share it: production uses Redis (CACHE_URL=redis://…). Without CACHE_URL, a file
# cache shared by one host's workers, in a folder private to this user and this installation
# (never a shared temp folder, where another local user could plant a pickle). Development and
# tests use local memory.
def _private_cache_dir():
    installation = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:12]
    default = Path.home() / ".cache" / f"oncology-portal-{installation}"
    path = Path(env.str("DJANGO_CACHE_DIR", default=str(default)))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise ImproperlyConfigured(
            f"The cache folder {path} must belong to this user and be private (chmod 700), "
            "or set CACHE_URL (Redis)."
        )
    return path


if "CACHE_URL" in os.environ:
    CACHES = {"default": env.cache("CACHE_URL")}
elif DEBUG or TESTING:
    CACHES = {"default": env.cache_url_config("locmemcache://oncology-portal")}
else:
    CACHES = {"default": env.cache_url_config(f"filecache://{_private_cache_dir()}")}

# Anonymous public pages are served from that cache, keyed on URL, language and data version
# (oncology_portal/pagecache.py). 0 switches it off; tests switch it on where they test it.
PAGE_CACHE_SECONDS = env.int("DJANGO_PAGE_CACHE_SECONDS", default=0 if DEBUG or TESTING else 600)
# Staff editing lives at /admin/ unless DJANGO_ADMIN_PATH names another path (e.g.
# "staff-7f3a/"); robots.txt does not advertise it.
ADMIN_PATH = env.str("DJANGO_ADMIN_PATH", default="admin/").strip("/") + "/"
if not re.fullmatch(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*/", ADMIN_PATH):
    raise ImproperlyConfigured(
        "DJANGO_ADMIN_PATH must be a URL path of letters, digits, '-' and '_', e.g. 'staff-7f3a/'."
    )
# A department's change page posts every inline row of every section, each text with its
# Chinese version beside it (departments/translation.py): the largest seed department's form
# sends about 1,030 fields, over Django's default limit of 1,000.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 4000
# The API is not page-cached: it answers per format and Accept header, throttles every request
# and lets clients revalidate with ETag / Last-Modified from the data version (api/base.py).
PAGE_CACHE_SKIP_PREFIXES = (f"/{ADMIN_PATH}", "/health/", "/api/")

# Login protection (django-axes): after AXES_FAILURE_LIMIT failed logins from one address, or
# for one username, further attempts are refused for AXES_COOLOFF_TIME without checking the
# password (a lockout page, 429), and every failure and lockout is logged ("axes.*" loggers,
# WARNING). The counters live in the shared cache when it is Redis (a cache read per login
# attempt, nothing in the database), else in the database. Behind a reverse proxy, set
# DJANGO_TRUSTED_PROXY_COUNT (oncology_portal/clientip.py) so each visitor counts on their own.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("DJANGO_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# The log names the username and the address tried (axes masks them by default), so that an
# operator can see who is targeted and block the address; passwords are never logged.
AXES_SENSITIVE_PARAMETERS = []
AXES_LOCKOUT_CALLABLE = "oncology_portal.lockout.lockout_response"  # 429, Retry-After
AXES_CLIENT_IP_CALLABLE = "oncology_portal.clientip.client_ip"
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler"
    if CACHES["default"]["BACKEND"].endswith(("RedisCache", "PyMemcacheCache"))
    else "axes.handlers.database.AxesDatabaseHandler"
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English at today's URLs, Simplified Chinese under /zh-hans/ (i18n_patterns in urls.py).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates: British wording in English ("7 November 2014"), Chinese in zh-hans (see formats/).
FORMAT_MODULE_PATH = ["oncology_portal.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic writes here (DJANGO_STATIC_ROOT: e.g. a test's own folder).
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and debug serve static files from the finders: no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG

# Security headers. HTTPS-only settings are switched on by DJANGO_SECURE_SSL (behind TLS).
SECURE_SSL = env.bool("DJANGO_SECURE_SSL", default=False)
SECURE_SSL_REDIRECT = SECURE_SSL
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
# Joining the browsers' HSTS preload list is an operator's decision, off unless asked for.
SECURE_HSTS_PRELOAD = SECURE_SSL and env.bool("DJANGO_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# One handler (stderr; gunicorn's error log in production): every record is written once.
# Django's own "django" handlers (console in debug, mail_admins) are replaced, so nothing is
# written twice. 404s go to INFO (hidden at the default WARNING), other 4xx lose their
# traceback (oncology_portal/logfilters.py); 5xx keep theirs, with the request path. A database
# outage logs one line per request, no traceback (oncology_portal/faults.py).
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="WARNING").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors": {"()": "oncology_portal.logfilters.ClientErrorFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"},
        "django.server": DEFAULT_LOGGING["formatters"]["django.server"],
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "django.server": DEFAULT_LOGGING["handlers"]["django.server"],
    },
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.request": {"filters": ["client_errors"]},
        # runserver's request lines, as Django has them.
        "django.server": DEFAULT_LOGGING["loggers"]["django.server"],
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# --- The open-data API (api/, /api/v1/): read-only, anonymous, throttled ----------------------
# The licence the portal publishes its data under: the operator's choice (README "Open data").
PORTAL_DATA_LICENCE = env.str("PORTAL_DATA_LICENCE", default="CC BY 4.0")
PORTAL_DATA_LICENCE_URL = env.str(
    "PORTAL_DATA_LICENCE_URL", default="https://creativecommons.org/licenses/by/4.0/"
)
# Requests per client address, counted in the shared cache (DRF's rate syntax: "300/minute").
PORTAL_API_THROTTLE_RATE = env.str("PORTAL_API_THROTTLE_RATE", default="300/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Oncology Portal open data API",
    "DESCRIPTION": (
        "Oncology departments, hospitals, cancer types, therapies and clinical trials: read-only, "
        "anonymous, throttled. Every figure keeps its wording; every sourced fact carries its "
        f"source and excerpt. Data licence: {PORTAL_DATA_LICENCE}."
    ),
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["api.schema.only_this_api"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from an outside validator: the CSP allows images from this site only.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "TrialSiteRoleEnum": "trials.models.TrialSite.Role",
        "OutputRoleEnum": "departments.models.ResearchOutput.Role",
    },
}
# CORS (django-cors-headers): any origin may read the API; nothing else is cross-origin.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Link", "Retry-After")
