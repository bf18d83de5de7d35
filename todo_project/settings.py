"""Settings for the Todo API: the only module that reads the environment.

Every knob comes from an environment variable (or a `.env` file beside
`manage.py`, or the file ENV_FILE names, which never overrides a variable
already set) with a safe default; `.env.example` lists them all.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import environ
from django.core.exceptions import ImproperlyConfigured
from huey import PostgresHuey, RedisHuey, SqliteHuey

from accounts.issuers import DEFAULT_ALGORITHMS, external_issuers
from todo_project.jobs import queue_connection

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
ENV_FILE = Path(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))
if ENV_FILE.is_file():
    env.read_env(ENV_FILE)

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)

# A development key is only acceptable while DEBUG is on; production must
# bring its own or the process refuses to start.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
if not DEBUG and "*" in ALLOWED_HOSTS:
    # Any Host header would be believed: in links, in Location, in the admin.
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must name the hosts served, not '*', when DEBUG is off."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "accounts",
    "tasks",
    "idempotency",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "api.request_log.RequestLogMiddleware",
    "api.middleware.OptionalTrailingSlashMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "api.middleware.AdminSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "api.middleware.AdminAuthenticationMiddleware",
    "api.middleware.AdminMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "api.errors.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "todo_project.urls"
WSGI_APPLICATION = "todo_project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# --- Database ---------------------------------------------------------------

# SQLite by default so the project runs with nothing installed; PostgreSQL
# (e.g. a managed Neon database) through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", default=600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE transactions
    # take the write lock up front, so concurrent writers queue on the
    # timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not the in-memory default, so that tests with concurrent
    # requests see the same locking (and waiting) as the real database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with faster timestamp reading and spaced health
    # checks (see api/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "api.postgresql"
    # Fail fast (and answer 503) when the server is unreachable, rather than
    # holding a worker for the operating system's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

# PostgreSQL: a connection opened or found healthy less than this many
# seconds ago is used without the health check's round trip.
DATABASE_HEALTH_CHECK_INTERVAL = env.float("DATABASE_HEALTH_CHECK_SECONDS", default=1.0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches -----------------------------------------------------------------

# "default" holds the authentication throttles' counters, which must be shared
# by every worker process: the database (table created by `createcachetable`)
# unless REDIS_URL names a Redis server. "throttle" counts task API requests
# per user and must cost no SQL query: Redis when available, otherwise each
# process's own memory, which makes that limit approximate (per process).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        },
        "throttle": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        },
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }

# --- Background jobs and email ---------------------------------------------

# The worker (`make worker`: Huey's `run_huey`) delivers reminders. Its queue
# lives where the data does, so it needs nothing more installed: a SQLite
# file beside the database by default, tables in the same PostgreSQL
# database with DATABASE_URL, or Redis when REDIS_URL is set. The queue only
# wakes the worker; what is due and what was delivered is in the database
# (tasks.delivery), so nothing is lost with a queued job.
JOBS_QUEUE = env.str("JOBS_QUEUE", default="todo")
# Tests in one process run jobs in memory (nothing reaches a worker).
JOBS_IMMEDIATE = env.bool("JOBS_IMMEDIATE", default=False)
if REDIS_URL:
    HUEY = RedisHuey(JOBS_QUEUE, url=REDIS_URL, results=False, immediate=JOBS_IMMEDIATE)
elif DATABASES["default"]["ENGINE"] == "api.postgresql":
    # Its own connection to the database Django uses (the test database in
    # tests); its tables are made by `migrate` (tasks.jobs.create_queue_tables).
    HUEY = PostgresHuey(
        JOBS_QUEUE,
        connection=queue_connection,
        create_tables=False,
        results=False,
        immediate=JOBS_IMMEDIATE,
    )
else:
    HUEY = SqliteHuey(
        JOBS_QUEUE,
        filename=env.str("JOBS_FILE", default="") or str(BASE_DIR / "jobs.sqlite3"),
        results=False,
        immediate=JOBS_IMMEDIATE,
    )

# A reminder before the due of an all-day task counts from this time of its
# day, in the owner's time zone (HH:MM).
REMINDER_ALL_DAY_TIME = env.str("REMINDER_ALL_DAY_TIME", default="09:00")
# A reminder delivered more than this many seconds after its time is marked late.
REMINDER_LATE_SECONDS = env.int("REMINDER_LATE_SECONDS", default=60)

# Reminder emails go through Django's email framework: SMTP when EMAIL_HOST
# is set, otherwise written to the console (development).
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Todo <todo@localhost>")

# --- Accounts and passwords -------------------------------------------------

AUTH_USER_MODEL = "accounts.User"

# Argon2 for new hashes; PBKDF2 hashes made earlier still verify and are
# upgraded to Argon2 at the next successful login.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idHasher",  # verifies any Argon2 hash, whatever its cost
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Authentication by email and password, within the failed-attempt limits below.
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]

# Failed password checks (API and admin login, password change, account
# deletion, email change) allowed per window, in seconds, before answering
# 429 (accounts.lockout): per email and client address, per client address,
# and per email from every address together, higher, so that a guessing
# attack spread over many addresses stays bounded while one attacker cannot
# lock the owner out. A correct password empties the first count only.
PASSWORD_FAILURE_LIMITS = {
    "email_address": (env.int("LOCKOUT_EMAIL_ADDRESS_FAILURES", default=10), 15 * 60),
    "address": (env.int("LOCKOUT_ADDRESS_FAILURES", default=30), 15 * 60),
    "email": (env.int("LOCKOUT_EMAIL_FAILURES", default=50), 60 * 60),
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------

# The admin, Swagger UI and ReDoc assets are served by the project itself
# (WhiteNoise); nothing is loaded from a CDN.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- HTTP -------------------------------------------------------------------

# With DEBUG off the defaults are production ones: HTTPS only (redirect, HSTS,
# secure cookies). Behind a proxy that terminates TLS, name the header it
# sets, e.g. SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto,https; only ever
# trust a header the proxy overwrites.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health(/|$)"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_PROXY_SSL_HEADER = env.tuple("SECURE_PROXY_SSL_HEADER", default=None)
if SECURE_PROXY_SSL_HEADER:
    header, value = SECURE_PROXY_SSL_HEADER
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + header.upper().replace("-", "_"), value)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "api.errors.csrf_failure"

# Routes accept paths with and without a trailing slash themselves, so a
# POST is never redirected.
APPEND_SLASH = False

# Largest request body accepted (bytes); larger ones are refused with 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("REQUEST_BODY_MAX_BYTES", default=256 * 1024)

# Where the client's address comes from for per-address limits. Empty: the
# connection's address (REMOTE_ADDR). Behind a proxy, the header it sets,
# e.g. X-Forwarded-For (its last entry, the one the proxy added, is used) or
# X-Real-IP; only name a header that the proxy always overwrites.
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="")

# CORS, for browser front ends that send bearer tokens: on the API only (never
# the admin, whose session cookie must not be usable from another origin), no
# cookies unless CORS_ALLOW_CREDENTIALS, and no origin allowed by default in
# production (DEBUG off); the usual local dev servers' with DEBUG on.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOWED_ORIGINS = env.list(
    "CORS_ALLOWED_ORIGINS",
    default=[
        "http://localhost:3000",
        "http://127.0.0.1:3000",
        "http://localhost:5173",
        "http://127.0.0.1:5173",
    ]
    if DEBUG
    else [],
)
CORS_ALLOW_CREDENTIALS = env.bool("CORS_ALLOW_CREDENTIALS", default=False)
# What the API reads from a request, and what a script may read of an answer.
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "idempotency-key",
    "x-request-id",
]
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Location",
    "Link",
    "X-Total-Count",
    "Retry-After",
    "Idempotent-Replayed",
    "X-Request-ID",
]

# --- REST framework ---------------------------------------------------------

REST_FRAMEWORK = {
    # Authentication is the default everywhere; public endpoints opt out.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.UserRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.HeaderPagination",
    "EXCEPTION_HANDLER": "api.errors.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.ProblemAutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Request rates ("N/second|minute|hour|day"). The auth endpoints are limited per
# client address and, but for login (whose failures are counted instead, by
# PASSWORD_FAILURE_LIMITS), per email; the task API per user.
THROTTLE_RATES = {
    "login": env.str("THROTTLE_LOGIN_RATE", default="10/minute"),
    "register": env.str("THROTTLE_REGISTER_RATE", default="10/minute"),
    "refresh": env.str("THROTTLE_REFRESH_RATE", default="10/minute"),
    "password": env.str("THROTTLE_PASSWORD_RATE", default="10/minute"),
    # Deleting the account, changing its email (both check the password).
    "account": env.str("THROTTLE_ACCOUNT_RATE", default="10/minute"),
    "tasks": env.str("THROTTLE_TASKS_RATE", default="1000/minute"),
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_TOKEN_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_TOKEN_DAYS", default=7)),
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default="") or SECRET_KEY,
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    # Tokens carry a digest of the password hash, so changing the password
    # also invalidates access tokens already issued.
    "CHECK_REVOKE_TOKEN": True,
}

# Tokens of other issuers, accepted beside the service's own (see
# accounts/issuers.py and the README's "Using a Next.js + Better Auth front
# end"): a JWKS issuer (BETTER_AUTH_URL, or EXTERNAL_JWT_JWKS_URL with its
# issuer and audience) and an HS256 shared secret. None set: none accepted.
EXTERNAL_JWT = external_issuers(
    better_auth_url=env.str("BETTER_AUTH_URL", default=""),
    jwks_url=env.str("EXTERNAL_JWT_JWKS_URL", default=""),
    issuer=env.str("EXTERNAL_JWT_ISSUER", default=""),
    audiences=env.list("EXTERNAL_JWT_AUDIENCE", default=[]),
    algorithms=env.list("EXTERNAL_JWT_ALGORITHMS", default=list(DEFAULT_ALGORITHMS)),
    secret=env.str("EXTERNAL_JWT_SECRET", default=""),
    user_id_claim=env.str("EXTERNAL_JWT_USER_ID_CLAIM", default="sub"),
    leeway_seconds=env.int("EXTERNAL_JWT_LEEWAY_SECONDS", default=30),
    signing_key=SIMPLE_JWT["SIGNING_KEY"],
)

SPECTACULAR_SETTINGS = {
    "TITLE": "Todo API",
    "DESCRIPTION": (
        "Multi-user todo list. Register or log in under /api/auth/, then send "
        "`Authorization: Bearer <access token>`. Errors are "
        "`application/problem+json` (RFC 9457)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # 3.1: a null is a type (`type: [string, "null"]`), which generators read
    # better than 3.0's `nullable` (docs/API.md).
    "OAS_VERSION": "3.1.0",
    # Relative: the API is wherever the schema is served from.
    "SERVERS": [{"url": "/", "description": "The server this schema comes from."}],
    # One tag per resource (api.schema.ProblemAutoSchema.get_tags).
    "TAGS": [
        {"name": "auth", "description": "Registration, tokens and the caller's account."},
        {"name": "tasks", "description": "The caller's tasks."},
        {
            "name": "tasks (user path)",
            "description": "The same task API under /api/{user_id}/tasks/, for front ends "
            "that put the user in the path; another user's id is a 403.",
        },
        {
            "name": "lists",
            "description": "The caller's lists of tasks, in their order; every user has an "
            "Inbox, where tasks go when no list is named.",
        },
        {
            "name": "lists (user path)",
            "description": "The same list API under /api/{user_id}/lists/.",
        },
        {
            "name": "tags",
            "description": "The caller's tags, made by naming them in a task's `tags`; "
            "renaming one onto another's name merges them.",
        },
        {
            "name": "tags (user path)",
            "description": "The same tag API under /api/{user_id}/tags/.",
        },
        {
            "name": "notifications",
            "description": "The caller's delivered reminders, newest first, and marking them read.",
        },
        {
            "name": "notifications (user path)",
            "description": "The same notification API under /api/{user_id}/notifications/.",
        },
        {"name": "health", "description": "Liveness and readiness probes, without credentials."},
    ],
    # Enum components: a body field's and a query parameter's (api.schema).
    "ENUM_NAME_OVERRIDES": {
        "PriorityEnum": "tasks.models.Priority",
        "TaskStatusEnum": "tasks.filters.STATUS_CHOICES",
        "TaskSortEnum": "tasks.filters.SORT_CHOICES",
        "TaskDueEnum": "tasks.filters.DUE_CHOICES",
    },
    # The values are the documentation; "* `low` - Low" lists would repeat them.
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.null_as_type",
        "tasks.schema.add_task_links",
        "accounts.schema.add_token_links",
    ],
}

# --- Logging ----------------------------------------------------------------

# One line per request (api.request_log), every record tagged with
# its request id; plain text for people or JSON for log collectors.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "api.request_log.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # 4xx answers are in the request line already; keep 5xx tracebacks.
        "django.request": {"level": "ERROR"},
        # The development server's own access line repeats the request line.
        "django.server": {"level": "WARNING"},
        # The worker: its start and stop, not a line per job every minute
        # (what it delivers is logged by tasks.delivery). Handled here, so
        # run_huey adds no handler of its own.
        "huey": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "huey.consumer": {"level": "INFO"},
    },
}
