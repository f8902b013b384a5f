"""Embedded mode mail: one ``.eml`` file per message, readable by any mail client."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *, file_path: str | None = None, fail_silently: bool = False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
            target = self.directory / name
            partial = target.with_suffix(".eml.part")
            # Written beside and renamed, so a reader never sees half a message.
            partial.write_bytes(message.message().as_bytes(linesep="\r\n"))
            partial.rename(target)
            sent += 1
        return sent
