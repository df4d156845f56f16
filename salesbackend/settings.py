"""Settings for the sales backend, read from the environment.

With no environment at all the app runs on a SQLite file, the local-memory cache and
eager Celery. DATABASE_URL, REDIS_URL and CELERY_BROKER_URL switch to real services.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from salesbackend.email_url import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless DJANGO_DEBUG says so (make run and make dev set it): a deployment that forgets it is
# safe. A pytest session (pytest sets PYTEST_VERSION; no server process has it) keeps the
# development configuration the suite was written for: the development key and plain static
# storage, with no collectstatic. pytest-django still runs every test with DEBUG False.
DEBUG = env.bool("DJANGO_DEBUG", default="PYTEST_VERSION" in os.environ)
DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-key-change-me-in-production-0123456789"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    # Anyone can read this key in the repository and sign sessions and tokens with it.
    raise ImproperlyConfigured(
        "DJANGO_DEBUG=0 needs DJANGO_SECRET_KEY: the built-in development key is public. "
        'Set a long random value, e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".'
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    # The second factor for staff (accounts.mfa): TOTP devices and recovery codes. Before
    # accounts, whose admin unregisters their device admins (they would show the secrets).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "audit",
    "catalog",
    "inventory",
    "orders",
    "analytics",
    "demo",
]

MIDDLEWARE = [
    "salesbackend.errors.APIHostMiddleware",
    # The JSON API's timestamps stay UTC while TIME_ZONE follows SALES_TIME_ZONE for pages.
    "salesbackend.zone.ApiSpeaksUtcMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise: static files keep their long cache lifetime; private pages get no-store.
    "salesbackend.headers.NoStoreMiddleware",
    "salesbackend.headers.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "salesbackend.errors.JSONErrorMiddleware",
    # Innermost: report pages and analytics read from the replica when it is fresh, and run
    # again on the primary when a replica query failed (salesbackend/replica.py).
    "salesbackend.replica.ReadSideMiddleware",
]

ROOT_URLCONF = "salesbackend.urls"
WSGI_APPLICATION = "salesbackend.wsgi.application"
ASGI_APPLICATION = "salesbackend.asgi.application"

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
                "salesbackend.zone.sales_time_zone",
            ],
        },
    },
]

# Database: PostgreSQL (psycopg 3) from DATABASE_URL, else a SQLite file.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
_postgresql = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if _postgresql and env.bool("DJANGO_DB_POOL", default=True):
    # A request never pays for a new connection: each process keeps a psycopg pool (safe under
    # ASGI and WSGI alike, unlike CONN_MAX_AGE), checked before each use so a restarted server
    # costs no failed request. Size it to the threads that query at once in one process.
    DATABASES["default"]["ENGINE"] = "salesbackend.postgresql"  # recovers from restarts at once
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DJANGO_DB_POOL_MIN_SIZE", default=2),
        # The request threads of one process (WEB_THREADS, salesbackend/asgi.py) and a few more
        # for the alert stream's access checks and Celery's own threads.
        "max_size": env.int("DJANGO_DB_POOL_MAX_SIZE", default=env.int("WEB_THREADS", default=8) + 4),
        "timeout": env.float("DJANGO_DB_POOL_TIMEOUT", default=10.0),
        "max_idle": 300,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
# Pooled or persistent connections are checked before use: after a database restart the
# next request gets a working connection instead of an error.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite allows one writer at a time. A transaction that reads first and writes later
    # cannot wait for the lock (SQLite answers "database is locked" at once), so every
    # transaction takes the write lock when it begins, and waits up to `timeout` seconds for it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
    # Tests use a file too (not shared-cache memory), so concurrent writers behave as in use.
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", str(BASE_DIR / "test_db.sqlite3"))
# The read side on a streaming replica (salesbackend/replica.py): reports, analytics, report
# e-mails and alerts, whenever it has replayed the last sale; everything else on the primary.
REPLICA_DATABASE_URL = env("REPLICA_DATABASE_URL", default="")
REPLICA_STATEMENT_TIMEOUT_MS = env.int("REPLICA_STATEMENT_TIMEOUT_MS", default=30_000)
REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=30.0)
REPLICA_REPLAY_CHECK_SECONDS = env.float("REPLICA_REPLAY_CHECK_SECONDS", default=0.1)
if REPLICA_DATABASE_URL:
    if not _postgresql:
        raise ImproperlyConfigured("REPLICA_DATABASE_URL needs DATABASE_URL on PostgreSQL.")
    _replica = env.db_url_config(REPLICA_DATABASE_URL)
    _replica.update(
        CONN_MAX_AGE=60,
        CONN_HEALTH_CHECKS=True,
        # Tests read the test database as the standby replays it from the primary.
        TEST={"MIRROR": "default"},
    )
    _replica.setdefault("OPTIONS", {}).update(
        connect_timeout=2, options=f"-c statement_timeout={REPLICA_STATEMENT_TIMEOUT_MS}"
    )
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["salesbackend.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache (also used by throttling): Redis from REDIS_URL, else local memory.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("DJANGO_CACHE_PREFIX", default="salesbackend"),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: a broker from CELERY_BROKER_URL (or Redis); with neither, tasks run eagerly in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=not (REDIS_URL or env("CELERY_BROKER_URL", default=""))
)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"  # beat's clock; report hours are in SALES_TIME_ZONE (analytics.subscriptions)
# A broker outage must not hang a request: give up quickly, the caller logs it.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "socket_connect_timeout": 2, "socket_timeout": 2}
CELERY_TASK_PUBLISH_RETRY = False
# A task whose worker dies mid-run is delivered again (tasks are written to run twice safely).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# How order confirmations leave. "outbox": the beat sweep sends every unsent one in batches, so
# placement publishes nothing and the worker runs one task per sweep, not one per order (it cost
# the web about a publish and the worker about 10 ms of CPU per order). "task": each order's own
# task on commit; the default without a broker, where eager Celery runs no beat.
ORDER_CONFIRMATIONS = env.str("ORDER_CONFIRMATIONS", default="task" if CELERY_TASK_ALWAYS_EAGER else "outbox")
if ORDER_CONFIRMATIONS not in ("outbox", "task"):
    raise ImproperlyConfigured("ORDER_CONFIRMATIONS is 'outbox' or 'task'.")
ORDER_CONFIRMATION_SWEEP_SECONDS = env.float("ORDER_CONFIRMATION_SWEEP_SECONDS", default=15.0)
# Periodic work, run by `celery beat` (make worker starts it with --beat).
CELERY_BEAT_SCHEDULE = {
    # Order confirmations: all of them in batches (the outbox), or those that could not be
    # enqueued (broker down) once it is back.
    "send-pending-confirmations": {
        "task": "orders.tasks.send_pending_confirmations",
        "schedule": ORDER_CONFIRMATION_SWEEP_SECONDS,
    },
    # Return e-mails that could not be enqueued (broker down) once it is back.
    "send-pending-return-mails": {
        "task": "orders.tasks.send_pending_return_mails",
        "schedule": 60.0,
    },
    # Unpaid orders past ORDER_PENDING_MINUTES are cancelled, their stock and code uses released.
    "expire-pending-orders": {
        "task": "orders.tasks.expire_pending_orders",
        "schedule": 60.0,
    },
    # Report subscriptions whose hour has come are e-mailed, once per due time.
    "send-due-reports": {
        "task": "analytics.tasks.send_due_reports",
        "schedule": 300.0,
    },
    # Threshold alerts: each owner e-mailed the first time an alert's condition holds in its period.
    "check-report-alerts": {
        "task": "analytics.tasks.check_report_alerts",
        "schedule": crontab(minute=5),
    },
    # The sales rollups are exact on every sale; this repairs them if rows were ever written around it.
    "verify-sales-rollups": {
        "task": "orders.tasks.verify_sales_rollups",
        "schedule": crontab(hour=3, minute=30),
    },
    # The sales ledger's monthly partitions (PostgreSQL), made three months ahead; daily, so a
    # missed run or two changes nothing.
    "ensure-sales-ledger-partitions": {
        "task": "orders.tasks.ensure_sales_ledger_partitions",
        "schedule": crontab(hour=3, minute=10),
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.UsernameOrEmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "en-us"
# The business's own day: every day, week, month and year boundary of the analytics, the rollups,
# the presets, "today" and the report e-mails' hours is in this zone (an IANA name). Stored
# timestamps stay UTC. Django's TIME_ZONE follows it, so pages, the admin and
# `timezone.localdate()` show the same day the figures count. Changing it on a database with
# sales needs `manage.py rebuild_sales_rollup` (a system check says so).
SALES_TIME_ZONE = env.str("SALES_TIME_ZONE", default="UTC")
try:
    ZoneInfo(SALES_TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError) as error:
    raise ImproperlyConfigured(
        f"SALES_TIME_ZONE={SALES_TIME_ZONE!r} is not an IANA time zone name: "
        "use one like 'UTC', 'Europe/Berlin' or 'America/Los_Angeles'."
    ) from error
TIME_ZONE = SALES_TIME_ZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# With DEBUG off, pages name static files by content hash (cached for ever by browsers and
# proxies) and whitenoise serves them compressed from STATIC_ROOT. Both need `collectstatic`,
# which the Procfile's web line runs before the server starts: without its manifest every page
# with a stylesheet answers 500 ("Missing staticfiles manifest entry"). With DEBUG on, files
# are served as they are from the apps (whitenoise finds them), no collectstatic needed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: EMAIL_URL says where it goes, as django-environ reads it: smtp://user:password@host:port,
# smtp+tls:// (STARTTLS, port 587 by default), smtp+ssl:// (TLS from the start, 465), consolemail://,
# filemail:///absolute/directory; user and password percent-encoded. Without it, the console (or
# DJANGO_EMAIL_BACKEND and DJANGO_EMAIL_FILE_PATH, read before EMAIL_URL existed).
EMAIL_URL = env.str("EMAIL_URL", default="")
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-emails"))  # filebased backend
if EMAIL_URL:
    _email = email_settings(EMAIL_URL)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
    EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH", EMAIL_FILE_PATH)
# A mail server that does not answer must not hold a Celery worker for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="sales@example.com")
# Where links in e-mailed reports point (the public address of this site).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Uploads (product import): larger bodies are refused with 413.
PRODUCT_IMPORT_MAX_BYTES = env.int("PRODUCT_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "salesbackend.uploads.SizeLimitedUploadHandler",  # refuses past the limit while streaming
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.CachedJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON in (API.md), nested at most MAX_JSON_DEPTH deep; the product import names its own
    # multipart parser.
    "DEFAULT_PARSER_CLASSES": ["salesbackend.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "salesbackend.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "salesbackend.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login_name": env("LOGIN_THROTTLE_PER_NAME", default="10/min"),
        "login_ip": env("LOGIN_THROTTLE_PER_IP", default="100/min"),
    },
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "COERCE_DECIMAL_TO_STRING": True,
}

# Staff without a second factor get no tokens and no admin session, only a token to set one up.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=False)
# The sign-in budgets (accounts.signin) count wrong codes; django-otp's own growing delays
# after a failure would also refuse the right code that follows, so they are off.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# No drift learning: phones keep network time, and a learned drift would move the window of
# codes accepted next (one step either side of now).
OTP_TOTP_SYNC = False
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Sales backend")

# A new login (API or admin) ends the user's other sessions: refresh tokens revoked, access
# tokens and admin sessions from before refused (API.md "Sign-in rules").
AUTH_SINGLE_SESSION = env.bool("AUTH_SINGLE_SESSION", default=False)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    # A password change invalidates access tokens issued before it.
    "CHECK_REVOKE_TOKEN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Sales backend API",
    "DESCRIPTION": "Catalog, inventory, orders and sales analytics. Authenticate with "
    "`Authorization: Bearer <access JWT>` from `/api/v1/auth/login/`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc come from drf-spectacular-sidecar's static files: the docs load nothing
    # from another host (no CDN, no web fonts; templates/drf_spectacular/redoc.html drops
    # ReDoc's Google Fonts links). Swagger UI's validator badge would call validator.swagger.io.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                "headings": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
                "code": {"fontFamily": "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace"},
            }
        }
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "salesbackend.schema.add_error_responses",  # every error status, documented
        "salesbackend.schema.state_request_limits",  # empty query values, no NUL in text
    ],
    # Orders and products both have a `status`: give each choice set its own name.
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.OrderStatus",
        "ProductStatusEnum": "catalog.models.ProductStatus",
        "RefundReasonEnum": "orders.models.RefundReason",
        "DiscountKindEnum": "orders.models.DiscountKind",
        "ReturnStatusEnum": "orders.models.returns.ReturnStatus",
        "ReturnConditionEnum": "orders.models.returns.ReturnCondition",
        "AlertConditionEnum": "analytics.models.AlertCondition",
    },
}

# Pricing (orders.pricing).
SALES_TAX_RATE = Decimal(env("SALES_TAX_RATE", default="0.20"))
SHIPPING_FLAT_FEE = Decimal(env("SHIPPING_FLAT_FEE", default="5.00"))
FREE_SHIPPING_THRESHOLD = Decimal(env("FREE_SHIPPING_THRESHOLD", default="50.00"))
SALES_CURRENCY = env("SALES_CURRENCY", default="EUR")
ORDER_CONFIRMATION_RETRY_HOURS = env.int("ORDER_CONFIRMATION_RETRY_HOURS", default=24)
# Unpaid orders are cancelled after this many minutes (0: never); a customer holds at most
# this many unpaid orders at once (0: no limit; staff placing orders are not limited).
ORDER_PENDING_MINUTES = env.int("ORDER_PENDING_MINUTES", default=60)
ORDER_MAX_PENDING_PER_CUSTOMER = env.int("ORDER_MAX_PENDING_PER_CUSTOMER", default=5)
# A customer may ask to return delivered goods for this many days after delivery.
RETURN_WINDOW_DAYS = env.int("RETURN_WINDOW_DAYS", default=30)

# The live alert stream: open streams per user, and how long one lasts before the client
# reconnects (its access is checked again at every keep-alive meanwhile).
ALERTS_STREAMS_PER_USER = env.int("ALERTS_STREAMS_PER_USER", default=3)
ALERTS_STREAM_MAX_SECONDS = env.int("ALERTS_STREAM_MAX_SECONDS", default=600)

ANALYTICS_CACHE_SECONDS = env.int("ANALYTICS_CACHE_SECONDS", default=3600)
# Product list pages are cached under versions that every product, stock or review change
# moves; the time limit only bounds what a write around the services could leave behind.
PRODUCT_LIST_CACHE_SECONDS = env.int("PRODUCT_LIST_CACHE_SECONDS", default=300)

# Production hardening: on whenever DEBUG is off.
TRUST_X_FORWARDED_PROTO = env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=False)
if TRUST_X_FORWARDED_PROTO:
    # Only behind a proxy that sets the header itself: a client could send it too.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    # Without the proxy's word every request looks like plain HTTP: redirecting then would
    # send HTTPS requests behind a TLS proxy round for ever. Set it to 1 when TLS ends here.
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=TRUST_X_FORWARDED_PROTO)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
