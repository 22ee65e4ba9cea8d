"""Django settings for dbconsole, driven only by environment variables (see ``.env.example``).

Two shapes:

* **Embedded default** (``DATABASE_URL`` unset): the history store is the PostgreSQL 18 cluster kept in
  ``DBCONSOLE_HOME`` (``.dbconsole/``), Redis runs on 127.0.0.1, and secrets are generated once into
  that directory. This is what ``make run`` and every ``manage.py`` command use out of the box.
* **Production** (``DATABASE_URL`` set): every secret must come from the environment, and a missing or
  malformed value stops the process at start with a message naming the variable.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import django_stubs_ext

from dbconsole.embedded import home as embedded_home
from dbconsole.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_secret,
    env_str,
    parse_database_url,
)

# Lets runtime code write ModelAdmin[Target] and friends, as the type checker sees them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DATABASE_URL = env_str("DATABASE_URL")
EMBEDDED = not DATABASE_URL

DEBUG = env_bool("DBCONSOLE_DEBUG", default=False)

if EMBEDDED:
    SECRET_KEY = env_secret(
        "DBCONSOLE_SECRET_KEY", required=False, fallback=embedded_home.secret_file("secret-key")
    )
    FERNET_KEYS = env_list("DBCONSOLE_FERNET_KEYS") or [embedded_home.secret_file("fernet-key", make="fernet")]
    DATABASES = {"default": embedded_home.history_database_settings()}
    _redis_port = env_int("DBCONSOLE_REDIS_PORT", embedded_home.DEFAULT_REDIS_PORT, minimum=1, maximum=65535)
    REDIS_URL = env_str("REDIS_URL", f"redis://127.0.0.1:{_redis_port}/0")
else:
    SECRET_KEY = env_secret("DBCONSOLE_SECRET_KEY", required=True)
    FERNET_KEYS = env_list("DBCONSOLE_FERNET_KEYS")
    if not FERNET_KEYS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DBCONSOLE_FERNET_KEYS must be set: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        )
    DATABASES = {"default": parse_database_url("DATABASE_URL", DATABASE_URL)}
    REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")

DATABASES["default"]["CONN_MAX_AGE"] = env_int("DBCONSOLE_DB_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

ALLOWED_HOSTS = env_list("DBCONSOLE_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DBCONSOLE_CSRF_TRUSTED_ORIGINS")
# Served over HTTPS (behind a TLS proxy): Secure session and CSRF cookies, and HSTS for a year.
SECURE_COOKIES = env_bool("DBCONSOLE_SECURE_COOKIES", default=False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SECURE_COOKIES else 0
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from hx-headers on <body>, never from the cookie
SESSION_COOKIE_AGE = env_int("DBCONSOLE_SESSION_HOURS", 12, minimum=1) * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from our own static files — no inline
# script, no eval, no inline style. The pages keep their JavaScript in static/ and their geometry in
# data- attributes (static/js/dbconsole.js applies it); htmx and plotly.js are served from static/ too.
# plotly.js builds its stylesheet at run time: see style-src-elem and dbconsole/templatetags/plotly_csp.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # ...and <style> elements only when empty (this is the hash of ""): plotly.js creates one and
        # fills it through the CSSOM, which CSP does not govern. A style element with content is
        # refused, and so is every style="" attribute (style-src-attr falls back to 'self').
        "style-src-elem": ["'self'", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"],
        "img-src": ["'self'", "data:", "blob:"],  # plotly's "download as PNG" draws through data:/blob:
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
    },
}

INSTALLED_APPS = [
    "dbconsole.apps.DbconsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "axes",
    "django_htmx",
    "template_partials",
    "dbconsole",
    "monitoring",
    "advisor",
    "alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files keep their long cache headers, every other response is no-store.
    "dbconsole.headers.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Every page requires login unless its view is explicitly marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "dbconsole.access.RoleRequiredMiddleware",
    # After login and CSRF: a NUL anywhere in the parameters, or a ParamError from a view, is a 400.
    "dbconsole.badrequest.BadRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dbconsole.urls"
WSGI_APPLICATION = "dbconsole.wsgi.application"

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
                "dbconsole.context_processors.roles",
                "dbconsole.badrequest.param_errors",
            ],
            # {% partialdef %} everywhere without {% load partials %}
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# The lockout check runs before any password is looked at (django-axes); RoleBackend then authenticates.
AUTHENTICATION_BACKENDS = ["dbconsole.logins.LockoutBackend", "dbconsole.access.RoleBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# -- Login protection (django-axes): lockout per user name and per client address -----------------
# After DBCONSOLE_LOGIN_FAILURE_LIMIT failed logins for one user name (from anywhere) or from one address
# (for any user name), further attempts are refused for DBCONSOLE_LOGIN_COOLOFF_MINUTES (0: until
# `manage.py unlock`). Failures older than the cool-off no longer count. dbconsole/logins.py audits it.
LOGIN_FAILURE_LIMIT = env_int("DBCONSOLE_LOGIN_FAILURE_LIMIT", 10, minimum=1, maximum=1000)
LOGIN_COOLOFF_MINUTES = env_int("DBCONSOLE_LOGIN_COOLOFF_MINUTES", 15, minimum=0, maximum=7 * 24 * 60)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_COOLOFF_MINUTES) if LOGIN_COOLOFF_MINUTES else None
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "dbconsole.logins.axes_username"
# A success does not wipe the failures: it would let anyone with an account clear their address's
# count between guesses at somebody else's password.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in our audit log already
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("DBCONSOLE_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DBCONSOLE_STATIC_ROOT", str(embedded_home.home() / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# htmx comes from django-htmx's package and plotly.js from plotly's: never from a CDN.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "dbconsole.staticfinders.PlotlyFinder",
]
WHITENOISE_USE_FINDERS = True
# Served at the site root without login, for clients that ask /favicon.ico whatever the page links.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
WHITENOISE_AUTOREFRESH = DEBUG
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- Target access (every statement we send to a monitored database) -----------------------------
TARGET_CONNECT_TIMEOUT_S = env_int("DBCONSOLE_TARGET_CONNECT_TIMEOUT_S", 5, minimum=1, maximum=120)
TARGET_STATEMENT_TIMEOUT_MS = env_int("DBCONSOLE_TARGET_STATEMENT_TIMEOUT_MS", 5000, minimum=100)
TARGET_LOCK_TIMEOUT_MS = env_int("DBCONSOLE_TARGET_LOCK_TIMEOUT_MS", 1000, minimum=10)
TARGET_IDLE_TX_TIMEOUT_MS = env_int("DBCONSOLE_TARGET_IDLE_TX_TIMEOUT_MS", 30000, minimum=1000)
# An operator's EXPLAIN ANALYZE runs the statement for real, holding a web thread meanwhile.
EXPLAIN_ANALYZE_TIMEOUT_MS = env_int("DBCONSOLE_EXPLAIN_ANALYZE_TIMEOUT_MS", TARGET_STATEMENT_TIMEOUT_MS,
                                     minimum=100, maximum=3_600_000)

# -- History retention --------------------------------------------------------------------------
RETENTION_RAW_DAYS = env_int("DBCONSOLE_RETENTION_RAW_DAYS", 7, minimum=1)
RETENTION_HOURLY_DAYS = env_int("DBCONSOLE_RETENTION_HOURLY_DAYS", 90, minimum=1)
RETENTION_DAILY_DAYS = env_int("DBCONSOLE_RETENTION_DAILY_DAYS", 730, minimum=1)

# -- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(embedded_home.beat_schedule())

# -- Embedded stack -----------------------------------------------------------------------------
WEB_PORT = env_int("DBCONSOLE_PORT", 8000, minimum=1, maximum=65535)
DEMO_ENABLED = env_bool("DBCONSOLE_DEMO", default=EMBEDDED)

LOG_LEVEL = env_choice("DBCONSOLE_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# -- Collection and advice (monitoring/tasks.py, monitoring/collectors/, advisor/tasks.py) ----------
# Beat runs a small dispatcher; workers run collectors on these queues (see monitoring/tasks.py).
# A worker consuming everything listens to dbconsole.queues.WORKER_QUEUES (make run, compose's worker).
COLLECT_DISPATCH_EVERY_S = 5
BLOAT_EXACT_TOP = env_int("DBCONSOLE_BLOAT_EXACT_TOP", 10, minimum=0)
BLOAT_EXACT_TIMEOUT_MS = env_int("DBCONSOLE_BLOAT_EXACT_TIMEOUT_MS", 5000, minimum=100)
ADVISOR_EVERY_S = env_int("DBCONSOLE_ADVISOR_EVERY_S", 3600, minimum=300)
ADVISOR_WINDOW_DAYS = env_int("DBCONSOLE_ADVISOR_WINDOW_DAYS", 7, minimum=1)
# Index advice is chosen by net benefit (advisor/selection/costs.py); the profile scales its write and
# storage rates. A budget (percent of the database size, 0 = none) and a per-table maximum are optional caps.
ADVISOR_PROFILE = env_choice("DBCONSOLE_ADVISOR_PROFILE", "balanced",
                             ("write-optimised", "balanced", "read-optimised"))
ADVISOR_BUDGET_SHARE = env_int("DBCONSOLE_ADVISOR_BUDGET_PERCENT", 0, minimum=0, maximum=1000) / 100
ADVISOR_MIN_BUDGET_MB = env_int("DBCONSOLE_ADVISOR_MIN_BUDGET_MB", 16, minimum=1)
ADVISOR_MAX_INDEXES_PER_TABLE = env_int("DBCONSOLE_ADVISOR_MAX_INDEXES_PER_TABLE", 0, minimum=0)
ADVISOR_ENGINE_TIME_LIMIT_S = env_int("DBCONSOLE_ADVISOR_ENGINE_TIME_LIMIT_S", 60, minimum=5)
# Days of index statistics (since the last stats reset or restart) before an index may be called unused;
# a target's machine facts can set their own (a database with monthly jobs wants 35).
ADVISOR_MIN_OBSERVATION_DAYS = env_int("DBCONSOLE_ADVISOR_MIN_OBSERVATION_DAYS", 14, minimum=1, maximum=3650)
CELERY_TASK_ROUTES = {
    "monitoring.dispatch": {"queue": "dispatch"},
    "monitoring.collect": {"queue": "collect"},
    "monitoring.rollup": {"queue": "maintenance"},
    "monitoring.maintain": {"queue": "maintenance"},
    "advisor.*": {"queue": "advisor"},   # HypoPG runs take seconds: keep them off collecting workers
    "alerts.*": {"queue": "alerts"},     # evaluation and delivery never wait behind collection or HypoPG
}
CELERY_BEAT_SCHEDULE = {
    "dispatch": {"task": "monitoring.dispatch", "schedule": float(COLLECT_DISPATCH_EVERY_S),
                 "options": {"expires": float(COLLECT_DISPATCH_EVERY_S)}},
    "rollup": {"task": "monitoring.rollup", "schedule": 300.0, "options": {"expires": 290.0}},
    "maintain": {"task": "monitoring.maintain", "schedule": 3600.0, "options": {"expires": 3500.0}},
    # run_all only enqueues targets that are due (advisor/tasks.py): a cheap check every minute.
    "advise": {"task": "advisor.run_all", "schedule": 60.0, "options": {"expires": 55.0}},
    # Evaluation runs right after each collection (alerts.trigger); the tick catches what no collection
    # announces (collectors that stopped, silences ending, repeat intervals, lost deliveries).
    "alerts-tick": {"task": "alerts.tick", "schedule": 10.0, "options": {"expires": 9.0}},
}

# -- Alerts (alerts/) ---------------------------------------------------------------------------------
# The address people open dbconsole at: links in notifications (generatorURL, externalURL) start with it.
EXTERNAL_URL = env_str("DBCONSOLE_EXTERNAL_URL", f"http://127.0.0.1:{WEB_PORT}").rstrip("/")
ALERTS_DELIVERY_ATTEMPTS = env_int("DBCONSOLE_ALERTS_DELIVERY_ATTEMPTS", 5, minimum=1, maximum=20)
ALERTS_RETRY_BACKOFF_S: float = env_int("DBCONSOLE_ALERTS_RETRY_BACKOFF_S", 5, minimum=1, maximum=600)
ALERTS_HTTP_TIMEOUT_S = env_int("DBCONSOLE_ALERTS_HTTP_TIMEOUT_S", 10, minimum=1, maximum=120)
# Flapping guard: the Nth episode of one alert within 15 minutes keeps firing until quiet for 15 minutes (0: off).
ALERTS_FLAP_EPISODES = env_int("DBCONSOLE_ALERTS_FLAP_EPISODES", 3, minimum=0, maximum=100)
# Email channels go through Django's mail backend (SMTP).
EMAIL_HOST = env_str("DBCONSOLE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DBCONSOLE_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("DBCONSOLE_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("DBCONSOLE_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("DBCONSOLE_EMAIL_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DBCONSOLE_EMAIL_FROM", "dbconsole@localhost")

CELERY_WORKER_PREFETCH_MULTIPLIER = 1   # short tasks on several queues: do not hoard
CELERY_TASK_ACKS_LATE = False           # a collection killed half-way is simply the next run's job

# -- API (api/): JSON API /api/v1/, API tokens, Prometheus /metrics --------------------------------------
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "api"]


def _rate(name: str, value: str) -> str:
    """A DRF rate such as 600/minute; anything else stops the process at start, naming the variable."""
    if not re.fullmatch(r"[1-9][0-9]{0,6}/(second|minute|hour|day)", value):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name}={value!r} is not a rate like 600/minute (per second, minute, hour, day)")
    return value


# Rate limits per API token (per user for a signed-in browser); writes count against both.
API_RATE = _rate("DBCONSOLE_API_RATE", env_str("DBCONSOLE_API_RATE", "600/minute"))
API_WRITE_RATE = _rate("DBCONSOLE_API_WRITE_RATE", env_str("DBCONSOLE_API_WRITE_RATE", "60/minute"))
# /metrics: "token" (an API token as Bearer, or as the basic auth password) or "none" (trusted network only).
METRICS_AUTH = env_choice("DBCONSOLE_METRICS_AUTH", "token", ("token", "none"))
METRICS_TOP_STATEMENTS = env_int("DBCONSOLE_METRICS_TOP_STATEMENTS", 10, minimum=0, maximum=200)
# The rate limiter counts in Redis, shared by every web worker ("default" stays Django's in-process cache).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
            "KEY_PREFIX": "dbconsole-api", "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.BearerTokenAuthentication", "api.auth.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasRole"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRate", "api.throttling.TokenWriteRate"],
    "DEFAULT_THROTTLE_RATES": {"api": API_RATE, "api_write": API_WRITE_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "URL_FORMAT_OVERRIDE": None,      # ?format= belongs to the draft endpoint, not to content negotiation
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "dbconsole API",
    "DESCRIPTION": "PostgreSQL health and optimization: targets, health, statements, indexes, tables, locks, "
                   "connections, settings, recommendations and the audit log. Authenticate with "
                   "`Authorization: Bearer <token>` (manage.py api-token create USERNAME). Errors are "
                   '`{"error": {"code", "message", "field"}}`; lists page with `cursor`.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"],
    "SERVE_PERMISSIONS": REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RecommendationStatusEnum": "advisor.models.Status",
        "RecommendationSeverityEnum": "advisor.models.Severity",
        "GradeEnum": "api.serializers.relations.GRADES",
        "FindingLevelEnum": "api.serializers.targets.LEVELS",
        "CollectionStatusEnum": "api.serializers.targets.COLLECTION",
        "VerdictEnum": "dbconsole.verdicts.STATUSES",
        "AlertSeverityEnum": "alerts.models.channel.SEVERITIES",
        "AlertStateEnum": "api.serializers.alerts.ALERT_STATES",
        "SilenceStatusEnum": "alerts.selectors.SILENCE_STATUSES",
    },
}
