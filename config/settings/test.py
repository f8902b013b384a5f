"""Tests run on the production engines: PostgreSQL and Redis (see `make test`)."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = False
SECRET_KEY = "test-secret-key-with-enough-length-and-entropy-0123456789abcdef"  # noqa: S105
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres:postgres@127.0.0.1:5432/counsel"),
}
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3
# Processes started by the fault tests keep connections as production does.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/14")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
# Without REDIS_URL in the environment, base.py chose the embedded broker's file-system transport,
# which would win over the Redis URL above; the suite's broker is Redis.
CELERY_BROKER_TRANSPORT = None
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 1}
# Sending runs inline when a test commits; tests of real workers turn this off (worker processes
# started by the fault tests get it from their environment).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
# Hashing cost is not under test except where a test asks for Argon2 itself.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
MEDIA_ROOT = str(VAR_DIR / "test-media")
# Tests that exercise a limit set its rate with the settings fixture.
RATE_LIMITS = dict.fromkeys(RATE_LIMITS, "1000/min")  # noqa: F405
