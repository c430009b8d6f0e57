"""Newsroom settings, read from the environment (see README.md, "Settings").

One module for every environment: development sets DJANGO_DEBUG=1, production
sets DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from extraction import DEFAULT_PUBLISH_MIN_CONFIDENCE

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_fraction(name: str, default: float) -> float:
    """A number from 0 to 1; anything else stops start-up with a message naming ``name``."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = None
    # `not 0 <= number <= 1` is also true for NaN.
    if number is None or not 0 <= number <= 1:
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 1, not {value!r}.")
    return number


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Development only: never used when DEBUG is off.
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    # Background tasks (issue 13): Django's Tasks API (the `django-tasks` backport of Django
    # 6's django.tasks), its database backend and the RQ backend; TASKS below picks one.
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "people",
    "articles",
    "web",
    "api",
    "search",
    "corrections",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.outages.DatabaseUnavailableMiddleware",  # outside all that queries: 503
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "newsroom.ratelimit.SiteRateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lock-out raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# Database: an embedded SQLite file unless DATABASE_URL names another engine.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent readers with one writer (the importer): WAL lets reads proceed during a
    # write, IMMEDIATE takes the write lock at BEGIN (no upgrade deadlocks), and the busy
    # timeout makes a second writer wait instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA cache_size=-20000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": None}  # in-memory test database
else:
    # Lets two test runs share one server without clashing (default: "test_<name>").
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("DJANGO_TEST_DATABASE_NAME") or None}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Outages (issue 12): a database that is down, or accepts connections but never answers,
    # must cost a request seconds, not a worker for good; newsroom.outages then answers 503.
    # - connect_timeout bounds the whole connection start-up (libpq; 2 s at least).
    # - statement_timeout, sent as a start-up option (no extra round trip; health checks
    #   included), has the server cancel a statement stuck on a lock or an overload. 10 s:
    #   public pages run their queries in milliseconds, and the 503 must reach the client
    #   well before gunicorn's worker timeout (30 s by default) kills the worker; at 30 s
    #   the two race. It applies to every process, the importer and `migrate` too: the
    #   importer's largest statement (the search vector of a story at the 5 MiB cap) takes
    #   about 2 s, a lock held longer than this is a fault to report rather than sit out,
    #   and a migration that must rewrite a big table can run with
    #   NEWSROOM_DB_STATEMENT_TIMEOUT=0 (no limit) in that one process.
    # - TCP keepalives (idle connections) and tcp_user_timeout (data sent, never
    #   acknowledged) notice a server or network gone from under an open, persistent
    #   connection within about 10 s, also well inside gunicorn's worker timeout.
    # Values given in DATABASE_URL's query string win over these defaults.
    def _seconds(name: str, default: str) -> float:
        value = os.environ.get(name, "").strip() or default
        try:
            seconds = float(value)
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds < 10**6:  # also false for NaN
            raise ImproperlyConfigured(f"{name} must be a number of seconds (0: none).")
        return seconds

    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _connect_seconds = _seconds("NEWSROOM_DB_CONNECT_TIMEOUT", "5")
    _statement_seconds = _seconds("NEWSROOM_DB_STATEMENT_TIMEOUT", "10")
    # Whole seconds for libpq, milliseconds for the server; 0 means no limit, so a small
    # fraction must not round down to it.
    _options.setdefault(
        "connect_timeout", max(1, round(_connect_seconds)) if _connect_seconds else 0
    )
    _statement_ms = max(1, round(_statement_seconds * 1000)) if _statement_seconds else 0
    _options["options"] = (
        f"-c statement_timeout={_statement_ms} {_options.get('options', '')}".strip()
    )
    _options.setdefault("keepalives", 1)
    _options.setdefault("keepalives_idle", 5)
    _options.setdefault("keepalives_interval", 2)
    _options.setdefault("keepalives_count", 3)
    _options.setdefault("tcp_user_timeout", 10_000)  # milliseconds
    # - A server that acknowledges at the TCP level but never answers on an open connection
    #   (a frozen process, storage hung under it, a stalled proxy) defeats all of the above:
    #   a request still waiting on the driver this long after the statement timeout has
    #   its database socket shut by newsroom.outages' watchdog, then gets its 503.
    NEWSROOM_DB_STALL_SECONDS = _seconds(
        "NEWSROOM_DB_STALL_SECONDS", str(_statement_seconds + 3 if _statement_seconds else 0)
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"  # display; the database stores UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files (articles' lead images, issue 14), through the storage API. Django serves
# them only when DEBUG is on (newsroom/urls.py); in production the web server or a CDN
# serves MEDIA_ROOT at MEDIA_URL (README, "Images and bylines").
MEDIA_URL = os.environ.get("NEWSROOM_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("NEWSROOM_MEDIA_ROOT", BASE_DIR / "media"))
# Lead-image uploads: refused above these (bytes; pixels, against decompression bombs);
# renditions are encoded as WEBP (default) or JPEG.
NEWSROOM_IMAGE_MAX_BYTES = int(os.environ.get("NEWSROOM_IMAGE_MAX_BYTES", str(10 * 1024 * 1024)))
NEWSROOM_IMAGE_MAX_PIXELS = int(os.environ.get("NEWSROOM_IMAGE_MAX_PIXELS", str(40_000_000)))
NEWSROOM_IMAGE_FORMAT = os.environ.get("NEWSROOM_IMAGE_FORMAT", "WEBP").strip().upper()
if NEWSROOM_IMAGE_FORMAT not in {"WEBP", "JPEG"}:
    raise ImproperlyConfigured("NEWSROOM_IMAGE_FORMAT must be WEBP or JPEG.")
# Tests and runserver serve static files from the finders, without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Cache: Redis when REDIS_URL is set, otherwise per-process memory.
# "throttle" holds the rate-limit counters (API throttle, public-page limit, issue 12): they
# must be shared by every worker process, or each worker grants the full allowance. With
# Redis it is Redis. Without, it is a directory of files on this host: every worker sees
# it, counters change under a file lock, and it adds no write to the database per request
# (a DatabaseCache would, and on SQLite every anonymous read would then queue for the
# write lock behind an import). Several hosts without Redis count per host: use Redis.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
        },
        "throttle": {
            "BACKEND": "newsroom.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttle": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("NEWSROOM_THROTTLE_CACHE_DIR")
            or str(Path(tempfile.gettempdir()) / f"newsroom-throttle-{os.getuid()}"),
            # One small file per client seen in the last rate window; past this, a third
            # are dropped (each `set` lists the directory, so keep it modest).
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }

# Background tasks (issue 13): imports of many files run as tasks of batches of files, on
# Django's Tasks API. NEWSROOM_TASKS picks where they queue and run:
# - "db" (default): a table in the project's own database (django-tasks-db), zero set-up on
#   SQLite and PostgreSQL (`migrate` creates it); workers are `manage.py db_worker`
#   processes (`make worker`; `make run` starts one beside the server).
# - "rq": Redis through RQ (django-tasks-rq), for many workers on many machines; workers are
#   `manage.py rqworker --job-class django_tasks_rq.Job default`. The queue lives at
#   NEWSROOM_RQ_URL (default: REDIS_URL).
# - "immediate": run each task in the process that enqueues it, at once (no worker).
NEWSROOM_TASKS = os.environ.get("NEWSROOM_TASKS", "").strip().lower() or "db"
NEWSROOM_RQ_URL = os.environ.get("NEWSROOM_RQ_URL", "").strip() or REDIS_URL
_TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if NEWSROOM_TASKS not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"NEWSROOM_TASKS must be one of {', '.join(_TASK_BACKENDS)}, not {NEWSROOM_TASKS!r}."
    )
if NEWSROOM_TASKS == "rq" and not NEWSROOM_RQ_URL:
    raise ImproperlyConfigured("NEWSROOM_TASKS=rq needs NEWSROOM_RQ_URL or REDIS_URL.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[NEWSROOM_TASKS], "QUEUES": ["default"]}}
# django-rq's queues (read only by the RQ backend and `rqworker`). A batch of files may take
# minutes on a slow disk or a busy database: RQ's default job timeout (180 s) would kill it.
RQ_QUEUES = {
    "default": {
        "URL": NEWSROOM_RQ_URL or "redis://127.0.0.1:6379/0",
        "DEFAULT_TIMEOUT": int(os.environ.get("NEWSROOM_TASK_TIMEOUT", "3600")),
    }
}

# Security: on by default whenever DEBUG is off (`manage.py check --deploy` passes).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGIN_URL = "admin:login"

# Importer: files larger than this are refused (bytes).
NEWSROOM_IMPORT_MAX_BYTES = int(os.environ.get("NEWSROOM_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
# A process beside the importer parses the next batch's stories while it writes the current
# one: "auto" for imports of several batches on a machine with two cores or more, "always"
# or "never" (issue 13).
NEWSROOM_IMPORT_PARSER_PROCESS = os.environ.get("NEWSROOM_IMPORT_PARSER_PROCESS", "auto")
if NEWSROOM_IMPORT_PARSER_PROCESS not in {"auto", "always", "never"}:
    raise ImproperlyConfigured("NEWSROOM_IMPORT_PARSER_PROCESS must be auto, always or never")

# Publish gate: an unreviewed quote is public only if the extractor's calibrated confidence
# is at least this; below it the importer stores it without a speaker (the candidate kept as
# a suggestion) and it waits for an editor. Read at query time (`Quote.objects.public()`).
# The default is chosen from the calibration table `make eval` prints (extraction/policy.py).
NEWSROOM_PUBLISH_MIN_CONFIDENCE = env_fraction(
    "NEWSROOM_PUBLISH_MIN_CONFIDENCE", DEFAULT_PUBLISH_MIN_CONFIDENCE
)

# Tags (issue 15, point 5): a tag the importer suggested for at least this many published
# stories (not dismissed) is applied to every published story it is suggested for, without
# waiting for an editor; editors can still dismiss it. 0 (the default, as issue 15 asks):
# off, every suggestion waits for an editor; 2 makes any topic that recurs a tag.
NEWSROOM_TAG_AUTO_APPLY_MIN_STORIES = max(
    0, int(os.environ.get("NEWSROOM_TAG_AUTO_APPLY_MIN_STORIES", "0"))
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}


# --- Client identity, rate limits, login lock-out, CSP (issue 12, security) -----------------
def env_count(name: str, default: int) -> int:
    """A whole number ≥ 0; anything else stops start-up with a message naming ``name``."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number ≥ 0, not {value!r}.")
    return int(value)


# How many reverse proxies we run in front of the site, each appending to X-Forwarded-For.
# 0: clients connect directly and REMOTE_ADDR is the client; the header is never trusted.
NEWSROOM_TRUSTED_PROXIES = env_count("NEWSROOM_TRUSTED_PROXIES", 0)

# Anonymous requests per client address to everything but the API (which has its own
# throttle), static files and health checks; editors are exempt. Empty or "off": no limit.
NEWSROOM_SITE_ANON_RATE = os.environ.get("NEWSROOM_SITE_ANON_RATE", "300/min").strip()
NEWSROOM_SITE_RATE_EXEMPT_PREFIXES = ("/static/", "/api/", "/health", "/media/")

# django-axes: failed admin logins lock the account (any address) and, separately, the
# address (any account) for a cool-off period. Counted in the database, so every worker
# and host sees the same count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_count("NEWSROOM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_count("NEWSROOM_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "newsroom.clients.client_ip"
AXES_LOCKOUT_CALLABLE = "newsroom.clients.lockout_response"  # 429, Retry-After, admin page
AXES_RESET_ON_SUCCESS = True
# A locked-out client that keeps guessing is not kept out longer than the cool-off.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

# A CSRF failure on the API answers JSON like every other API error (api/exceptions.py).
CSRF_FAILURE_VIEW = "api.exceptions.csrf_failure"

# Rendered API responses and pages larger than this are served but not kept in the cache.
NEWSROOM_RESPONSE_CACHE_MAX_BYTES = env_count("NEWSROOM_RESPONSE_CACHE_MAX_BYTES", 512 * 1024)


def _media_origin(url: str) -> list[str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


# Content-Security-Policy (django-csp): only this site's own scripts, styles and images,
# never inline script; no plugins, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Lead images come from MEDIA_URL: this site, or a CDN's origin when it is one.
        "img-src": ["'self'", "data:", *_media_origin(MEDIA_URL)],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Anonymous readers may be served a page or API response stored up to this many seconds
# before something was *added* (a new story, a confirmed quote); withdrawals and
# corrections (unpublish, reject, a corrected speaker, a merge, any delete) show on the
# very next request. Keeps the caches warm under a stream of imports and confirmations
# (issue 12); 0 serves every addition at once too. See articles/content_version.py.
# 30 s: public responses already say `Cache-Control: max-age=60`, so a reader behind a
# proxy may see a new story a minute late anyway; at 10 s every stored page was rendered
# again every few seconds under a batched import, and the mixed load's p99 passed 1 s.
NEWSROOM_ADDITIONS_GRACE_SECONDS = int(os.environ.get("NEWSROOM_ADDITIONS_GRACE_SECONDS", "30"))

# --- REST API v1 (issue 4; see api/) ------------------------------------------------------
# Anonymous clients are throttled (429 with Retry-After); editors are not.
NEWSROOM_API_ANON_RATE = os.environ.get("NEWSROOM_API_ANON_RATE", "120/min")
# Cache-Control max-age of anonymous API responses, in seconds.
NEWSROOM_API_MAX_AGE = int(os.environ.get("NEWSROOM_API_MAX_AGE", "60"))
# Rendered JSON kept in the cache, keyed by content version; 0 switches it off.
NEWSROOM_API_RESPONSE_CACHE_SECONDS = int(
    os.environ.get("NEWSROOM_API_RESPONSE_CACHE_SECONDS", "300")
)

REST_FRAMEWORK = {
    # Token first: an anonymous write gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ReadOrEditorWrite"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonymousRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    # DRF's parsers, JSON with a nesting bound (api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.NewsroomAutoSchema",
    # Issue 12: every API error is JSON, uncaught exceptions included (api/exceptions.py).
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    # Same trusted-proxy count as everything else that identifies clients (newsroom/clients.py).
    "NUM_PROXIES": NEWSROOM_TRUSTED_PROXIES,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom API",
    "DESCRIPTION": (
        "Published articles, the people named in them, their quotes and the events they "
        "report. Anonymous clients read published content only (throttled); editors "
        "(staff, token or session) also see drafts and rejected quotes and may review "
        "quotes, publish articles and merge people. Lists are paginated "
        "(`page`, `page_size` ≤ 100) and support conditional GET (ETag, Last-Modified)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "QuoteStatusEnum": "articles.models.Quote.Status",
        "ArticleStatusEnum": "articles.models.Article.Status",
    },
}

# --- Stories uploaded in the admin (issue 14: "Import stories") ----------------------------
# Where uploaded story files are kept for the import's workers: a private folder, never
# served (drafts must not be public in any form). Every worker must see it at this path.
NEWSROOM_UPLOAD_DIR = Path(os.environ.get("NEWSROOM_UPLOAD_DIR", str(BASE_DIR / "var" / "uploads")))
# Stories one upload may hold (a zip's stories count one by one); the rest are refused.
NEWSROOM_UPLOAD_MAX_FILES = env_count("NEWSROOM_UPLOAD_MAX_FILES", 500)
# Bytes of one story file (a zip member counts uncompressed): the importer's own limit.
NEWSROOM_UPLOAD_MAX_FILE_BYTES = env_count(
    "NEWSROOM_UPLOAD_MAX_FILE_BYTES", NEWSROOM_IMPORT_MAX_BYTES
)
# Bytes of all the stories of one upload (uncompressed); stories past it are refused.
NEWSROOM_UPLOAD_MAX_TOTAL_BYTES = env_count("NEWSROOM_UPLOAD_MAX_TOTAL_BYTES", 100 * 1024 * 1024)
# Up to this many stories are imported at once, while the editor waits; more go to the
# background tasks (articles.runs), with their progress on the run's page.
NEWSROOM_UPLOAD_FOREGROUND_MAX_FILES = env_count("NEWSROOM_UPLOAD_FOREGROUND_MAX_FILES", 10)
# Django refuses a request with more files than this (400) before the form can say why.
DATA_UPLOAD_MAX_NUMBER_FILES = NEWSROOM_UPLOAD_MAX_FILES
