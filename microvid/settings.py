"""Microvid settings: the one place where configuration comes from the environment.

Every value has a development default so that `make run` works on a machine with nothing but
Python and make: SQLite, local media files, an in-memory channel layer and a Celery broker on
the local file system. Setting `DATABASE_URL`, `REDIS_URL` or the `AWS_*` variables switches to
PostgreSQL, Redis and S3. `DJANGO_ENV=production` turns on the production checks
(see docs/operations.md).
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# Any variable can also be given as NAME_FILE=/path/to/file (Kubernetes and Docker secrets
# mounted as files rather than passed in the environment).
env = environ.FileAwareEnv()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

# --- Core ------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION:
    # No default on purpose: a production site must not start with a guessable key.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="development-only-key-do-not-use-in-production"
    )
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# How many proxies we run in front of the site (load balancer, CDN, nginx): the client's
# address is the X-Forwarded-For entry the outermost one added. 0 = none: the header is
# ignored. Every IP-based rule reads it (core.net.client_ip, DRF, allauth); see
# docs/security.md. uvicorn must then not rewrite the address itself (--no-proxy-headers).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
RATELIMIT_IP_META_KEY = "core.net.client_ip"
RATELIMIT_USE_CACHE = "default"

DJANGO_APPS = [
    # Before the admin, so that translated fields get their per-language inputs there.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "channels",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "csp",
]
LOCAL_APPS = [
    "core",  # the foundation: only its management commands (backup, restore) need the app
    "accounts",
    "videos",
    "social",
    "feeds",
    "search",
    "moderation",
    "recommendations",
    "analytics",
]
# daphne is only needed for its `runserver` (HTTP and WebSockets in one development server);
# it imports Twisted, which every other command, web worker and Celery worker would pay for at
# start-up. Production serves with uvicorn (docs/operations.md), `make run` too.
if sys.argv[1:2] == ["runserver"]:
    DJANGO_APPS.insert(0, "daphne")
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # First and last: request latency per view and status (docs/monitoring.md).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.logging.RequestIdMiddleware",
    "microvid.middleware.HealthCheckMiddleware",
    "core.unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.ratelimit.RateLimitMiddleware",
    "microvid.metrics.QueryCountMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "microvid.urls"
WSGI_APPLICATION = "microvid.wsgi.application"
ASGI_APPLICATION = "microvid.asgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "social.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
# 0: the site is served over ASGI, where Django runs each request's sync code in a thread of
# its own, so a persistent connection is never reused; it lingers until garbage collection,
# and under load they exhaust PostgreSQL's max_connections (seen in bench/discovery.py).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# Also makes Django check each pooled connection as it is lent (ConnectionPool.check_connection):
# after a PostgreSQL restart or failover the pool's connections are dead, and each would
# otherwise fail one request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# A psycopg connection pool per process (on by default in production): under ASGI every request
# would otherwise open a new PostgreSQL connection. Its size bounds each process's connections.
DATABASE_POOL_MAX_SIZE = env.int("DATABASE_POOL_MAX_SIZE", default=10 if PRODUCTION else 0)
if USING_POSTGRES and DATABASE_POOL_MAX_SIZE > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_MAX_SIZE,
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
if not USING_POSTGRES:
    # SQLite: persistent connections are per thread and buy nothing; timeouts avoid
    # "database is locked" while the web process and the worker write at once.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis's own backend, except that an unreachable Redis is a cold cache, not an
            # error page (core/cache.py); short timeouts so that an outage costs little.
            "BACKEND": "core.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="microvid"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub: a group_send is one PUBLISH, and each web process hands it to its own
            # sockets from one subscription. The list-based RedisChannelLayer spends about
            # 0.5 ms of CPU per socket per message in its receive loop, too slow for a video
            # page watched by thousands (bench/realtime.py, docs/social.md). Live fragments
            # are best effort anyway: pages poll while a socket is down.
            # (core.channels adds the request id to each message; see core/logging.py.)
            "BACKEND": "core.channels.RedisPubSubChannelLayer",
            # redis-py 8 gives up on a read after 5 s by default (as long as the list-based
            # layer blocks waiting for a message): allow more.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "core.channels.InMemoryChannelLayer"}}
# Sessions live in the cache (Redis in production) and are written through to the database,
# so a cache flush never logs anyone out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Background work -------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    # A broker that needs no server: the web process and the worker exchange messages
    # through files under var/celery (kombu's filesystem transport).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # The exchange tables (celery.exchange, celery.pidbox.exchange); kombu's default is
        # "control/" in the working directory, i.e. the repository root.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    # Redis redelivers a message not acknowledged within this time (late acks: a task still
    # running, or one whose worker died). It must exceed the longest hard time limit of any
    # task (the recommender's training: 3600 s), or a running task would be delivered twice.
    # Transcodes lost with their worker do not wait for it: their lease expires in
    # VIDEO_PROCESSING_LEASE_S and the sweep re-queues them (videos.services).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600 + 60)
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Two queues, so that transcodes (CPU-heavy, minutes) scale apart from everything else (quick):
# `celery worker -Q transcode` and `celery worker -Q celery`; `make run` consumes both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"videos.tasks.process_video": {"queue": "transcode"}}
CELERY_BEAT_SCHEDULE: dict = {}

# --- Monitoring (docs/monitoring.md) ---------------------------------------------------------
# /metrics answers a scraper sending "Authorization: Bearer <METRICS_TOKEN>", an address in
# METRICS_ALLOWED_NETWORKS (CIDR, e.g. the Prometheus pods' network), or a staff member;
# anyone else gets a 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
# The Celery queues whose depth /metrics reads from a Redis broker.
METRICS_CELERY_QUEUES = env.list("METRICS_CELERY_QUEUES", default=["celery"])
# django-prometheus: no per-migration gauges at start-up (they would query the database).
PROMETHEUS_EXPORT_MIGRATIONS = False

# --- Files -----------------------------------------------------------------------------------
STATIC_URL = env.str("STATIC_URL", default="/static/")
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Outside production, WhiteNoise serves straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
# Also django-storages' defaults for other S3 storages (backups to s3://, core/backup.py).
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
USING_S3 = bool(AWS_STORAGE_BUCKET_NAME)
# Private media (docs/security.md): uploaded originals, never served, and the files of
# videos that are not public, served only through signed URLs that expire.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private-media")))
PRIVATE_MEDIA_URL = env.str("PRIVATE_MEDIA_URL", default="/media-private/")
MEDIA_SIGNED_URL_SECONDS = env.int("MEDIA_SIGNED_URL_SECONDS", default=900)
if USING_S3:
    _s3_options = {
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        # Empty: boto3's own chain (AWS_ACCESS_KEY_ID in the environment, a pod identity).
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        "file_overwrite": False,
    }
    public_media = {
        "BACKEND": "core.s3.MediaS3Storage",
        "OPTIONS": {
            **_s3_options,
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            # "http:" only for a local S3-compatible server (compose.yaml); a CDN is HTTPS.
            "url_protocol": env.str("AWS_S3_URL_PROTOCOL", default="https:"),
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            "default_acl": None,
        },
    }
    private_media = {
        "BACKEND": "core.s3.MediaS3Storage",
        "OPTIONS": {
            **_s3_options,
            # Its own bucket if you can (no public policy at all); else the same bucket, where
            # the bucket policy must grant public reads only to videos/* and avatars/*.
            "bucket_name": env.str("AWS_PRIVATE_BUCKET_NAME", default="")
            or AWS_STORAGE_BUCKET_NAME,
            "custom_domain": None,  # presigned URLs need the bucket's own host
            "querystring_auth": True,
            "querystring_expire": MEDIA_SIGNED_URL_SECONDS,
            "default_acl": "private",
        },
    }
else:
    public_media = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    private_media = {"BACKEND": "core.storage.PrivateFileSystemStorage"}
# Local media files are served by Django itself unless a web server or CDN is put in front.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not USING_S3)
STORAGES = {
    # Routes each name to the public or the private storage (core.storage).
    "default": {"BACKEND": "core.storage.MediaStorage"},
    "public_media": public_media,
    "private_media": private_media,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The largest file any form accepts; bigger ones are refused while they stream in.
VIDEO_MAX_UPLOAD_BYTES = env.int("VIDEO_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
MAX_UPLOAD_BYTES = VIDEO_MAX_UPLOAD_BYTES
# No request body may be larger (the file plus the form around it): bigger ones are refused
# unread (core.uploads). Every form takes one file at most.
MAX_REQUEST_BODY_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 1
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # the non-file part of a form (Django's default)
FILE_UPLOAD_HANDLERS = [
    "core.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o644
AVATAR_MAX_UPLOAD_BYTES = env.int("AVATAR_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
# Pixels, checked from the image header before anything is decoded (decompression bombs).
AVATAR_MAX_PIXELS = env.int("AVATAR_MAX_PIXELS", default=40_000_000)
AVATAR_SIZE = 256

# --- Accounts --------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_VALIDATORS = "accounts.validators.username_validators"
ACCOUNT_USERNAME_BLACKLIST = [
    "admin", "api", "accounts", "settings", "static", "media", "healthz", "search", "tag",
    "upload", "microvid", "moderator", "support", "root", "www",
]  # fmt: skip
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Microvid] "
# Sign-up and log-in are rate limited per IP and per account (allauth keeps the counters in
# the cache, so they are shared between processes when Redis is configured).
ACCOUNT_RATE_LIMITS = {
    "signup": env.str("RATE_LIMIT_SIGNUP", default="10/m/ip,30/h/ip"),
    "login": env.str("RATE_LIMIT_LOGIN", default="20/m/ip"),
    "login_failed": env.str("RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "reset_password": "10/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}

# Our own rate limits (core.ratelimit): per action, "amount/period/per" rules, per = user, ip
# or user_or_ip. Override one with RATELIMIT_<ACTION>, e.g. RATELIMIT_UPLOAD="5/h/user,20/h/ip".
RATELIMIT_DEFAULTS = {
    "like": "60/m/user",
    "comment": "10/m/user,100/h/user",
    "follow": "30/m/user",
    "report": "10/h/user",
    "upload": "10/h/user,30/h/ip",
    "search": "60/m/user_or_ip",
    "suggest": "120/m/user_or_ip",
    "events": "60/m/user_or_ip",
    "feedback": "60/m/user",
    "profile_edit": "20/h/user",
    "api_logout": "30/m/ip",
    # Views one address adds to one video (a household or an office shares one address; a
    # script harvesting fresh viewer cookies is held here).
    "view": "20/h/ip",
}
RATELIMITS = {
    action: env.str(f"RATELIMIT_{action.upper()}", default=rule)
    for action, rule in RATELIMIT_DEFAULTS.items()
}
# Client messages on one socket (social.consumers): a burst, refilled per second.
SOCKET_MESSAGE_BURST = env.int("SOCKET_MESSAGE_BURST", default=10)
SOCKET_MESSAGES_PER_SECOND = env.float("SOCKET_MESSAGES_PER_SECOND", default=1.0)

# --- Email -----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Microvid <noreply@microvid.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env.str("EMAIL_URL", default=""):  # also EMAIL_URL_FILE, which `in env` would not see
    # smtp://user:password@host:587/?tls=True
    vars().update(env.email_url("EMAIL_URL"))
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
# Anymail (Mailgun, Postmark, SES, ...): EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend and
# ANYMAIL='{"MAILGUN_API_KEY": "..."}'.
ANYMAIL = env.json("ANYMAIL", default={})

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# django-modeltranslation (report reasons, the community rules): English is the fallback.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    # The same trusted proxies as everything else (None would trust a client-written header).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_RATE_ANON", default="120/min"),
        "user": env.str("API_RATE_USER", default="600/min"),
        "auth": env.str("API_RATE_AUTH", default="10/min"),
    },
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=14),
    "UPDATE_LAST_LOGIN": True,
    # Every refresh hands out a new refresh token and revokes the old one (the blacklist app),
    # and logging out revokes the refresh token: a stolen one stops working.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Microvid API",
    "DESCRIPTION": "JSON API of Microvid: the same rules as the site, with JWT or session auth.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

# --- Video processing ------------------------------------------------------------------------
# Path of the FFmpeg binary; empty means "ffmpeg on PATH, else the imageio-ffmpeg wheel's".
FFMPEG_BINARY = env.str("FFMPEG_BINARY", default="")
VIDEO_MAX_DURATION_S = 5.0
# Longer clips, up to this, can be kept by choosing which 5 seconds to trim to.
VIDEO_MAX_TRIMMABLE_DURATION_S = env.float("VIDEO_MAX_TRIMMABLE_DURATION_S", default=60.0)
VIDEO_PROCESSING_TIMEOUT_S = env.int("VIDEO_PROCESSING_TIMEOUT_S", default=300)
VIDEO_PROCESSING_MAX_ATTEMPTS = env.int("VIDEO_PROCESSING_MAX_ATTEMPTS", default=3)
# The anonymous viewer's signed cookie lives this long (core.viewer). Watch-event batches per
# minute are RATELIMITS["events"]; the views one address adds to one video, whatever viewer ids
# it shows, RATELIMITS["view"] (docs/playback.md).
VIEWER_COOKIE_SECONDS = env.int("VIEWER_COOKIE_SECONDS", default=365 * 24 * 3600)
# A processing attempt holds its video for this long, renewed every third of it while it
# works: a dead attempt (its worker killed) is taken over once the lease has run out.
VIDEO_PROCESSING_LEASE_S = env.int("VIDEO_PROCESSING_LEASE_S", default=30)
# Cards per feed page (For You, Following, Trending, Latest, hashtags, profiles); at most 50.
FEED_PAGE_SIZE = env.int("FEED_PAGE_SIZE", default=12)
# Seconds a page of search result ids is cached per normalised query (0: no cache);
# publishing or removing a video clears them sooner (docs/operations.md, "Caches").
SEARCH_CACHE_SECONDS = env.int("SEARCH_CACHE_SECONDS", default=60)
# Seconds a rendered feed card is cached (feeds/cards.py; 0: no cache). Its key is made from
# what it shows, so a like or an edit never needs clearing it (docs/operations.md, "Caches").
CARD_CACHE_SECONDS = env.int("CARD_CACHE_SECONDS", default=600)
CELERY_BEAT_SCHEDULE["feeds-recompute-trending"] = {
    "task": "feeds.tasks.recompute_trending",
    "schedule": env.float("TRENDING_RECOMPUTE_SECONDS", default=600.0),
}
CELERY_BEAT_SCHEDULE["videos-publish-scheduled"] = {
    "task": "videos.tasks.publish_scheduled_videos",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["videos-requeue-stalled"] = {
    "task": "videos.tasks.requeue_stalled_videos",
    # Two indexed queries; often, so that a transcode lost with its worker is redone within
    # about a minute (the lease, then this).
    "schedule": env.float("VIDEO_STALLED_SWEEP_SECONDS", default=30.0),
}
# For You recommender (docs/recommendations.md): off = trending and fresh videos only.
RECS_ENABLED = env.bool("RECS_ENABLED", default=True)
RECS_TRAIN_DAYS = env.int("RECS_TRAIN_DAYS", default=90)
RECS_TRAIN_EPOCHS = env.int("RECS_TRAIN_EPOCHS", default=15)
RECS_MODEL_COMPONENTS = env.int("RECS_MODEL_COMPONENTS", default=64)
RECS_KEEP_VERSIONS = env.int("RECS_KEEP_VERSIONS", default=5)
RECS_MODEL_STORAGE = env.str("RECS_MODEL_STORAGE", default="default")
RECS_MODEL_RETRY_SECONDS = env.int("RECS_MODEL_RETRY_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["recommendations-train"] = {
    "task": "recommendations.tasks.train_model",
    "schedule": env.float("RECS_TRAIN_INTERVAL_SECONDS", default=24 * 3600.0),
}
# Social: the optional daily email digest, and a nightly check that the like, comment and
# reply counters still match their rows (see docs/social.md).
CELERY_BEAT_SCHEDULE["social-daily-digest"] = {
    "task": "social.tasks.send_daily_digests",
    "schedule": crontab(hour=7, minute=0),
}
CELERY_BEAT_SCHEDULE["social-reconcile-counts"] = {
    "task": "social.tasks.reconcile_social_counts",
    "schedule": crontab(hour=3, minute=30),
}
# Analytics (docs/analytics.md): the roll-up of watch events into hourly and daily rows, how
# long raw events are kept once rolled up (the recommender trains on RECS_TRAIN_DAYS of them),
# and what makes a play "engaged".
CELERY_BEAT_SCHEDULE["analytics-rollup"] = {
    "task": "analytics.tasks.rollup_stats",
    "schedule": env.float("ANALYTICS_ROLLUP_SECONDS", default=600.0),
}
ANALYTICS_RAW_RETENTION_DAYS = env.int("ANALYTICS_RAW_RETENTION_DAYS", default=90)
ANALYTICS_ENGAGED_SECONDS = env.float("ANALYTICS_ENGAGED_SECONDS", default=3.0)
# Search history (recent searches under the search box) for signed-in users; each user can
# also turn theirs off.
SEARCH_HISTORY_ENABLED = env.bool("SEARCH_HISTORY_ENABLED", default=True)

# --- Moderation (docs/moderation.md) ----------------------------------------------------------
# Reports one person may file per day and per 30 days; past them they get a friendly 429.
MODERATION_REPORTS_PER_DAY = env.int("MODERATION_REPORTS_PER_DAY", default=15)
MODERATION_REPORTS_PER_30_DAYS = env.int("MODERATION_REPORTS_PER_30_DAYS", default=200)
MODERATION_REPORT_NOTE_MAX_LENGTH = 1000
MODERATION_APPEAL_MAX_LENGTH = 2000
MODERATION_APPEAL_WINDOW_DAYS = env.int("MODERATION_APPEAL_WINDOW_DAYS", default=20)
# Hold a new account's first uploads for review: how many, and for how long an account is new.
MODERATION_HOLD_FIRST_UPLOADS = env.int("MODERATION_HOLD_FIRST_UPLOADS", default=0)
MODERATION_NEW_ACCOUNT_DAYS = env.int("MODERATION_NEW_ACCOUNT_DAYS", default=7)
# Bits of the 64-bit poster hash that may differ for a re-upload of a removed clip to be held.
MODERATION_FINGERPRINT_DISTANCE = env.int("MODERATION_FINGERPRINT_DISTANCE", default=6)
CELERY_BEAT_SCHEDULE["moderation-digest"] = {
    "task": "moderation.tasks.send_moderator_digest",
    "schedule": crontab(minute=0),
}

# --- Security --------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"  # a page meant to be embedded says so: @core.headers.frameable
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), "
    "autoplay=(self), fullscreen=(self), picture-in-picture=(self)"
)


def _origin(url: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


# Where media comes from when it is not this site (a CDN, the S3 buckets' own hosts for
# presigned URLs); add others with CSP_MEDIA_ORIGINS.
_custom_domain = env.str("AWS_S3_CUSTOM_DOMAIN", default="")
_media_origins = {
    origin
    for origin in [
        _origin(MEDIA_URL),
        _origin(f"https://{_custom_domain}") if _custom_domain else None,
        _origin(env.str("AWS_S3_ENDPOINT_URL", default="")),
        "https://*.amazonaws.com" if USING_S3 else None,
        *env.list("CSP_MEDIA_ORIGINS", default=[]),
    ]
    if origin
}
MEDIA_ORIGINS = sorted(_media_origins)
# Content-Security-Policy (django-csp): scripts only from this site, plus inline scripts that
# carry the response's nonce (the player's start script); no inline event handlers, no eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *MEDIA_ORIGINS],
        "media-src": ["'self'", "blob:", *MEDIA_ORIGINS],
        "connect-src": ["'self'", *MEDIA_ORIGINS],  # hls.js, beacons, WebSockets (same host)
        "worker-src": ["'self'", "blob:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# --- Logging ---------------------------------------------------------------------------------
# JSON lines in production (one object per record, with the request id that caused it: see
# core/logging.py), plain text in development. Both go to standard error.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}
# Celery workers log through the configuration above instead of their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Error tracking --------------------------------------------------------------------------
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from core.errortracking import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV),
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
