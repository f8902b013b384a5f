"""Production: starts only with SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and NOTES_ENCRYPTION_KEYS set."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# Required: without them production refuses to start (ImproperlyConfigured names the missing one).
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
env("DATABASE_URL")  # base.py builds DATABASES from it; the embedded SQLite is no production default.
# Session notes are encrypted under these keys; a key file on the web server's disk is no substitute.
NOTES_ENCRYPTION_KEYS = env.list("NOTES_ENCRYPTION_KEYS")
if not NOTES_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "Set the environment variable NOTES_ENCRYPTION_KEYS (Fernet keys, newest first)."
    )

# --- Security -----------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
# TLS ends at the proxy in front of gunicorn, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The browsable API is a development aid; production answers JSON only.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]}  # noqa: F405

# --- Static files -------------------------------------------------------------------------------
# https://whitenoise.readthedocs.io/en/stable/django.html
# The app serves STATIC_ROOT itself (collected at image build): hashed names cached for a year,
# gzip variants, so pages are styled with no other web server in front.
MIDDLEWARE = [
    *MIDDLEWARE[:1],  # noqa: F405 (SecurityMiddleware first, so static files get its headers too)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],  # noqa: F405
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
