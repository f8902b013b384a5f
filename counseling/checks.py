"""Start-up checks: a malformed note key stops `check` and `migrate` before any note is written."""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, register


@register()
def note_keys_check(app_configs, **kwargs) -> list[Error]:
    errors = []
    for position, key in enumerate(settings.NOTES_ENCRYPTION_KEYS, start=1):
        try:
            Fernet(key.strip().encode())
        except ValueError:
            errors.append(
                Error(
                    f"Key {position} of NOTES_ENCRYPTION_KEYS is not a Fernet key "
                    "(32 url-safe base64-encoded bytes).",
                    hint='Generate one with: python -c "from cryptography.fernet import Fernet; '
                    'print(Fernet.generate_key().decode())"',
                    id="counseling.E001",
                )
            )
    return errors
