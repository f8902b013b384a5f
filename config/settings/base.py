"""Settings shared by every run mode.

With no environment variables set, everything runs embedded: SQLite, a file-system Celery broker and
mail written to files, all under ``var/``. ``DATABASE_URL``, ``CELERY_BROKER_URL``, ``REDIS_URL`` /
``CACHE_URL`` and ``EMAIL_URL`` switch to the full stack.
"""

from datetime import timedelta

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, VAR_DIR, env

# --- Core ---------------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#core-settings
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="embedded-development-key-not-for-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "anymail",
    "csp",
]
LOCAL_APPS = [
    "core",
    "accounts",
    "outbox",
    "counseling",
    "newsletter",
    "courses",
    "payments",
    "privacy",
    "portal",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' own instruction).
    "axes.middleware.AxesMiddleware",
]

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
                "django.template.context_processors.i18n",
                "portal.context_processors.practice",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded mode runs web, worker and beat against one file: WAL and immediate transactions
    # keep concurrent writers from failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # A request must fail fast (503) rather than hang when PostgreSQL is unreachable.
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
    # Persistent connections by default: the fastest in docs/BENCHMARKS.md (connection mode; a new
    # connection per request cost 29 % of the throughput, the pool was no faster). DATABASE_POOL=true:
    # psycopg's pool in each process instead, for more processes than PostgreSQL has connections.
    if env.bool("DATABASE_POOL", default=False):
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
            # A request that finds every connection busy this long fails with 503 rather than hang.
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=3),
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# --- Content-Security-Policy (django-csp) ------------------------------------------------------
# https://django-csp.readthedocs.io/en/latest/configuration.html
# Pages load nothing from another host and run no inline script or style: the policy allows only
# our own origin, so injected markup can neither run nor send data anywhere. A view that needs more
# says so with csp_update (the admin's newsletter preview, the API docs).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Cache --------------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/cache/
REDIS_URL = env("REDIS_URL", default="")
if env("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
elif REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                # Throttles degrade to "allow" rather than failing requests while Redis is down.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -----------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/auth/customizing/
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out email + IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
EMAIL_VERIFICATION_MAX_AGE = timedelta(days=3)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day, in seconds

# django-axes: https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.auth.axes_username"
AXES_RESET_ON_SUCCESS = True
# The lock lasts 15 minutes from the fifth failure; attempts while locked do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.auth.axes_lockout_response"
# The lockout keys on the same client address as every rate limit (core.ratelimit.client_ip).
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_ip"

# --- Client address and rate limits -------------------------------------------------------------
# How many proxies of ours stand in front of gunicorn, each appending to X-Forwarded-For. 0 (the
# default): the client talks to gunicorn directly and REMOTE_ADDR is its address; a forwarded header
# is then the client's own writing and never trusted. Behind one TLS proxy set 1.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Requests per client address (or per email address, where a form names one) and window, for pages
# and the API alike (core.ratelimit).
RATE_LIMITS = {
    # Logins, token, verification and reset confirmation: guessing is slowed, typing is not.
    "auth": env("THROTTLE_AUTH", default="20/min"),
    # Writes without an account that send no mail to a typed address (guest enrollment).
    "anon_write": env("THROTTLE_ANON_WRITE", default="30/hour"),
    # Forms that send mail to an address someone typed (registration, password reset, newsletter
    # signup, workbook link): the practice's mail must not become anyone's spam cannon.
    "mail": env("THROTTLE_MAIL", default="10/hour"),
    # One password-reset mail per address and window, whoever asks and from wherever.
    "password_reset_address": env("THROTTLE_PASSWORD_RESET_ADDRESS", default="1/5min"),
    # One new verification link per address and window (asked for again, or by registering again).
    "verification_address": env("THROTTLE_VERIFICATION_ADDRESS", default="1/5min"),
}

# django-rest-knox: https://jazzband.github.io/django-rest-knox/settings/
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=24 * 14)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# --- Internationalisation -----------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/i18n/
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Bodies larger than this are refused with 400 before any view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
# Files the counselor uploads in the admin (the workbook) may be larger.
ADMIN_UPLOAD_MAX_SIZE = env.int("ADMIN_UPLOAD_MAX_SIZE", default=50 * 1024 * 1024)

# --- Email --------------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/email/  and  https://anymail.dev/
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "core.mail_backends.EmlFileBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# An ESP through django-anymail: EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend plus ANYMAIL (JSON).
EMAIL_BACKEND = env("EMAIL_BACKEND", default=vars().get("EMAIL_BACKEND"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
ANYMAIL = env.json("ANYMAIL", default={})
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="こころの相談室 <hello@counsel.example.jp>")
SERVER_EMAIL = env("SERVER_EMAIL", default="server@counsel.example.jp")
COUNSELOR_NOTIFICATION_EMAIL = env("COUNSELOR_NOTIFICATION_EMAIL", default="")

# Outbox: rows left pending this long are enqueued again by the sweeper.
OUTBOX_STALE_AFTER = timedelta(minutes=env.int("OUTBOX_STALE_AFTER_MINUTES", default=5))
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=200)
# A batch sender saves its outcomes in the database this many at a time; until then they are in its
# journal in Redis (outbox.journal).
OUTBOX_SAVE_EVERY = env.int("OUTBOX_SAVE_EVERY", default=100)

# --- Celery -------------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's file-system transport with atomic writes and claims (core/broker.py); every folder,
    # the exchange tables' included, under var/broker/.
    CELERY_BROKER_TRANSPORT = "core.broker:Transport"
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Publishing gives up quickly when the broker is down; the outbox sweeper sends later.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,
        "visibility_timeout": 60 * 60,
    }
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only once it has run, and given back when its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Worker processes (`celery worker` without --concurrency); 4 sent a fan-out fastest on 2 cores.
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=4)
# Celery's Django fix-up otherwise closes the database connection before and after every task: a new
# PostgreSQL connection for every batch of a fan-out. Connections are still closed when unusable or
# older than CONN_MAX_AGE, and every this many tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
OUTBOX_BEAT_SCHEDULE = {
    "outbox-requeue-stale": {
        "task": "outbox.tasks.outbox_requeue_stale_task",
        "schedule": crontab(minute="*"),
    },
}

# --- The practice ------------------------------------------------------------------------------
# Who sends the mail and stands behind it (特定電子メール法 requires these in every newsletter).
PRACTICE_NAME = env("PRACTICE_NAME", default="こころの相談室")
PRACTICE_POSTAL_ADDRESS = env("PRACTICE_POSTAL_ADDRESS", default="〒100-0005 東京都千代田区丸の内1-1-1")
PRACTICE_CONTACT_EMAIL = env("PRACTICE_CONTACT_EMAIL", default="hello@counsel.example.jp")

# --- Counseling ---------------------------------------------------------------------------------
# Availability rules are kept, and slots offered, in the practice's local time (TIME_ZONE, see
# core/localtime.py); storage is UTC.
# A slot can be booked no sooner than this before it starts, and no further ahead than the window.
COUNSELING_MIN_NOTICE = timedelta(hours=env.int("COUNSELING_MIN_NOTICE_HOURS", default=24))
COUNSELING_BOOKING_WINDOW = timedelta(days=env.int("COUNSELING_BOOKING_WINDOW_DAYS", default=60))
# How far ahead the counselor books for a client: a fortnightly series of 12 runs 22 weeks.
COUNSELING_COUNSELOR_BOOKING_WINDOW = timedelta(
    days=env.int("COUNSELING_COUNSELOR_BOOKING_WINDOW_DAYS", default=365)
)
COUNSELING_SLOT_INTERVAL = timedelta(minutes=env.int("COUNSELING_SLOT_INTERVAL_MINUTES", default=30))
# One availability request covers at most this many days.
COUNSELING_AVAILABILITY_MAX_DAYS = 62
# A client cancelling later than this before the start is recorded as a late cancellation.
COUNSELING_CANCELLATION_WINDOW = timedelta(hours=env.int("COUNSELING_CANCELLATION_WINDOW_HOURS", default=48))
# Reminders go out at this hour (Asia/Tokyo) on the day before the session.
COUNSELING_REMINDER_HOUR = env.int("COUNSELING_REMINDER_HOUR", default=19)
# The private calendar feed names clients by initials, since the calendar provider keeps every
# summary; true writes full names instead.
COUNSELING_CALENDAR_FEED_FULL_NAMES = env.bool("COUNSELING_CALENDAR_FEED_FULL_NAMES", default=False)
# Session-note text is encrypted under these Fernet keys, newest first; older keys only decrypt until
# `manage.py rotate_note_keys` has re-encrypted every row. Unset (embedded mode only: production
# requires them), a key is created in the key file on first use and kept there.
NOTES_ENCRYPTION_KEYS = env.list("NOTES_ENCRYPTION_KEYS", default=[])
NOTES_ENCRYPTION_KEY_FILE = VAR_DIR / "notes-encryption.key"
COUNSELING_BEAT_SCHEDULE = {
    # Every minute, so a reminder leaves within a minute of 19:00; the scan is one indexed query.
    "counseling-send-due-reminders": {
        "task": "counseling.tasks.booking_reminders_send_due_task",
        "schedule": crontab(minute="*"),
    },
}

# --- Newsletter ---------------------------------------------------------------------------------
# Send slots: weekdays (0 = Monday) and time of day in NEWSLETTER_SEND_TIME_ZONE.
NEWSLETTER_SEND_WEEKDAYS = env.list("NEWSLETTER_SEND_WEEKDAYS", cast=int, default=[0, 2, 4])
NEWSLETTER_SEND_TIME = env("NEWSLETTER_SEND_TIME", default="07:00")
NEWSLETTER_SEND_TIME_ZONE = env("NEWSLETTER_SEND_TIME_ZONE", default="Asia/Tokyo")
# A slot is still planned this long after its time (a beat or worker outage); later it is let go.
NEWSLETTER_SLOT_CATCH_UP = timedelta(hours=env.int("NEWSLETTER_SLOT_CATCH_UP_HOURS", default=6))
# Subscribers planned per transaction, and messages per batch task (one mail-server connection).
NEWSLETTER_PLAN_CHUNK_SIZE = env.int("NEWSLETTER_PLAN_CHUNK_SIZE", default=500)
NEWSLETTER_SEND_BATCH_SIZE = env.int("NEWSLETTER_SEND_BATCH_SIZE", default=100)
# Batches are spread out so that no more than this many messages a minute go to the mail server.
NEWSLETTER_SEND_RATE_PER_MINUTE = env.int("NEWSLETTER_SEND_RATE_PER_MINUTE", default=600)
NEWSLETTER_CONFIRM_MAX_AGE = timedelta(days=7)
NEWSLETTER_WORKBOOK_LINK_MAX_AGE = timedelta(days=30)
# At most one confirmation (or workbook-link) email per address in this interval.
NEWSLETTER_CONFIRMATION_INTERVAL = timedelta(minutes=10)
NEWSLETTER_UNCONFIRMED_RETENTION = timedelta(days=30)
NEWSLETTER_UNSUBSCRIBE_MAILTO = env("NEWSLETTER_UNSUBSCRIBE_MAILTO", default=PRACTICE_CONTACT_EMAIL)
# A TrueType Japanese font for the generated workbook PDF; empty: IPAex Gothic from newsletter/fonts/.
NEWSLETTER_WORKBOOK_FONT_PATH = env("NEWSLETTER_WORKBOOK_FONT_PATH", default="")
# ESP bounce/complaint webhooks (/newsletter/webhooks/<esp>/tracking/) require this basic-auth
# "user:password"; without one they refuse every request.
if env("ANYMAIL_WEBHOOK_SECRET", default=""):
    ANYMAIL.setdefault("WEBHOOK_SECRET", env("ANYMAIL_WEBHOOK_SECRET"))
NEWSLETTER_BEAT_SCHEDULE = {
    "newsletter-plan-due-slots": {
        "task": "newsletter.tasks.newsletter_plan_due_slots_task",
        "schedule": crontab(minute="*/5"),
    },
    "newsletter-purge-unconfirmed": {
        "task": "newsletter.tasks.newsletter_purge_unconfirmed_task",
        "schedule": crontab(hour=4, minute=30),
    },
}

# --- Courses ------------------------------------------------------------------------------------
# Session reminders go out from this hour (Asia/Tokyo) on the day before the session.
COURSES_REMINDER_HOUR = env.int("COURSES_REMINDER_HOUR", default=19)
# A guest's emailed cancel link works until the course's last session ends, and never longer than this.
COURSE_CANCEL_LINK_MAX_AGE = timedelta(days=env.int("COURSE_CANCEL_LINK_MAX_AGE_DAYS", default=365))
COURSES_BEAT_SCHEDULE: dict = {
    # A scan, not a countdown per enrollment: nothing is lost when the broker restarts, and the
    # outbox key (enrollment, session) keeps repeated scans from sending a reminder twice.
    "courses-send-reminders": {
        "task": "courses.tasks.course_reminders_send_task",
        "schedule": crontab(minute="*/5"),
    },
}

# --- Payments -----------------------------------------------------------------------------------
# Stripe Checkout (card with 3-D Secure, konbini). Without a secret key online payment is not
# offered: a session type or course set to it is paid by bank transfer, and the pages say so.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
# The endpoint's signing secret (whsec_…): a webhook whose signature does not verify is refused.
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# A card payment holds its place this long (Stripe Checkout lives at least 30 minutes).
PAYMENTS_CARD_HOLD = timedelta(minutes=env.int("PAYMENTS_CARD_HOLD_MINUTES", default=30))
# A konbini voucher is valid this many days; konbini is offered only when the session starts later
# than that plus PAYMENTS_KONBINI_MARGIN.
PAYMENTS_KONBINI_DAYS = env.int("PAYMENTS_KONBINI_DAYS", default=3)
PAYMENTS_KONBINI_MARGIN = timedelta(days=1)
# A bank transfer holds its place this many days (never past the session's start).
PAYMENTS_TRANSFER_DAYS = env.int("PAYMENTS_TRANSFER_DAYS", default=3)
PAYMENTS_BANK_ACCOUNT = env(
    "PAYMENTS_BANK_ACCOUNT", default="みずほ銀行 丸の内支店 普通 1234567 ココロノソウダンシツ"
)
# 適格請求書発行事業者の登録番号: "T" and 13 digits, printed on every receipt.
PAYMENTS_INVOICE_REGISTRATION_NUMBER = env("PAYMENTS_INVOICE_REGISTRATION_NUMBER", default="T1234567890123")
PAYMENTS_CONSUMPTION_TAX_PERCENT = 10
# A late cancellation or a no-show: empty keeps the whole fee (no refund); a number of yen keeps that
# much and refunds the rest. A cancellation by the counselor is always refunded in full.
PAYMENTS_LATE_CANCELLATION_FEE_JPY = env.int("PAYMENTS_LATE_CANCELLATION_FEE_JPY", default=None)
PAYMENTS_BEAT_SCHEDULE = {
    # A scan, not a timer per hold: a hold whose deadline passed while the broker was down is still
    # released at the next run.
    "payments-release-expired-holds": {
        "task": "payments.tasks.payment_holds_release_expired_task",
        "schedule": crontab(minute="*"),
    },
}

CELERY_BEAT_SCHEDULE = {
    **PAYMENTS_BEAT_SCHEDULE,
    **OUTBOX_BEAT_SCHEDULE,
    **COUNSELING_BEAT_SCHEDULE,
    **NEWSLETTER_BEAT_SCHEDULE,
    **COURSES_BEAT_SCHEDULE,
}

# --- Django REST framework ----------------------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    # Views throttle with core.ratelimit's throttles; anything using DRF's own keys on the same address.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Counselor practice API",
    "DESCRIPTION": "Bookings, intakes, session notes, worksheets, newsletter and courses.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # A choice set used under several field names gets one name (drf-spectacular names enums by field).
    # The docs page loads Swagger UI from our static files, never from another host.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "/favicon.ico",
    # No badge fetched from the public validator.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "SessionFormatEnum": "counseling.models.Format",
    },
}

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
