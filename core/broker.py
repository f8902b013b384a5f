"""The embedded mode's Celery broker: kombu's file-system transport, made safe for concurrent processes.

kombu's own writer creates the message file in the queue folder and fills it afterwards, so a
consumer listing the folder in between reads an empty file and dies on ``JSONDecodeError``
(celery/kombu#1551); its exchange tables are truncated and rewritten in place, with the same race.
Here every file appears in its folder complete or not at all:

- a message is written under ``writing/`` and renamed into the queue folder (one file system, so
  the rename is atomic);
- a consumer claims a message by renaming it into ``claimed/``: of two consumers racing for one
  file exactly one rename succeeds, so no message is delivered twice;
- an exchange table is rewritten under an exclusive lock on a separate lock file, into a temporary
  file renamed over the table, so readers never see a partial table;
- a file that still cannot be decoded (left by an older writer) is moved to ``unreadable/`` with
  an error in the log instead of stopping the worker.

Selected by ``CELERY_BROKER_TRANSPORT = "core.broker:Transport"`` with a ``filesystem://`` URL.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
import uuid
from collections import deque
from pathlib import Path
from queue import Empty

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads
from kombu.utils.objects import cached_property

logger = logging.getLogger(__name__)

MESSAGE_SUFFIX = ".msg"


def write_atomically(target: Path, data: bytes, *, scratch: Path) -> None:
    """Write ``data`` to ``target`` so that no reader ever sees it partly written."""
    temporary = scratch / f"{uuid.uuid4().hex}.tmp"
    try:
        with open(temporary, "xb") as file:
            file.write(data)
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ChannelError(f"Cannot write {target}") from exc


class Channel(filesystem.Channel):
    # How long a directory listing serves polls of queues it found empty. A queue with messages in
    # the listing never waits for this; an empty one (the control queue of a busy worker) is looked
    # at again at most this often, instead of the folder being listed again for every message.
    listing_max_age = 1.0

    def __init__(self, *args, **kwargs):
        self._pending: dict[str, deque[str]] = {}
        self._listed_at = float("-inf")
        super().__init__(*args, **kwargs)
        for folder in (
            self.data_folder_in,
            self.data_folder_out,
            self.writing_folder,
            self.claimed_folder,
            self.unreadable_folder,
            self.control_folder,
        ):
            Path(folder).mkdir(parents=True, exist_ok=True)

    # --- folders ----------------------------------------------------------------------------------

    @cached_property
    def _broker_folder(self) -> Path:
        return Path(self.data_folder_in).parent

    @cached_property
    def writing_folder(self) -> Path:
        return Path(self.transport_options.get("writing_folder", self._broker_folder / "writing"))

    @cached_property
    def claimed_folder(self) -> Path:
        return Path(self.transport_options.get("claimed_folder", self._broker_folder / "claimed"))

    @cached_property
    def unreadable_folder(self) -> Path:
        return Path(self.transport_options.get("unreadable_folder", self._broker_folder / "unreadable"))

    @property
    def control_folder(self) -> Path:
        return Path(self.transport_options.get("control_folder", self._broker_folder / "control"))

    # --- messages ---------------------------------------------------------------------------------

    def _put(self, queue, payload, **kwargs):
        # Wall-clock nanoseconds, zero-padded: file names sort in publishing order across processes.
        name = f"{time.time_ns():020d}_{uuid.uuid4().hex}.{queue}{MESSAGE_SUFFIX}"
        write_atomically(
            Path(self.data_folder_out) / name, str_to_bytes(dumps(payload)), scratch=self.writing_folder
        )

    def _get(self, queue):
        folder = Path(self.data_folder_in)
        while True:
            name = self._next_pending(queue)
            claimed = self.claimed_folder / name
            try:
                os.rename(folder / name, claimed)
            except FileNotFoundError:
                continue  # another consumer claimed it first
            try:
                message = loads(bytes_to_str(claimed.read_bytes()))
            except (OSError, ValueError):
                logger.exception("broker: unreadable message %s moved to %s", name, self.unreadable_folder)
                with contextlib.suppress(OSError):
                    os.replace(claimed, self.unreadable_folder / name)
                continue
            claimed.unlink()
            return message

    def _next_pending(self, queue: str) -> str:
        pending = self._pending.get(queue)
        if not pending:
            stale = time.monotonic() - self._listed_at > self.listing_max_age
            if stale or not any(self._pending.values()):
                self._list_queue_folder()
                pending = self._pending.get(queue)
        if not pending:
            raise Empty()
        return pending.popleft()

    def _list_queue_folder(self) -> None:
        pending: dict[str, deque[str]] = {}
        for name in sorted(os.listdir(self.data_folder_in)):
            queue = name.partition(".")[2].removesuffix(MESSAGE_SUFFIX)
            if queue and name.endswith(MESSAGE_SUFFIX):
                pending.setdefault(queue, deque()).append(name)
        self._pending = pending
        self._listed_at = time.monotonic()

    def _purge(self, queue):
        self._pending.pop(queue, None)
        return super()._purge(queue)

    # --- exchange tables --------------------------------------------------------------------------

    def get_table(self, exchange):
        try:
            table = loads(bytes_to_str(self._exchange_file(exchange).read_bytes()))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ChannelError(f"Cannot read the table of exchange {exchange!r}") from exc
        return [filesystem.exchange_queue_t(*row) for row in table]

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")

        def add(table):
            if binding not in table:
                table.insert(0, binding)
            return table

        self._update_table(exchange, add)

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs):
        # The virtual channel's own bookkeeping, without the in-place rewrite of kombu's file channel.
        super(filesystem.Channel, self)._delete(queue, exchange, routing_key, pattern, *args, **kwargs)
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._update_table(exchange, lambda table: [row for row in table if row != binding])

    def _update_table(self, exchange, change) -> None:
        """Read, change and replace one exchange table; writers take turns on its lock file."""
        table_file = self._exchange_file(exchange)
        with open(table_file.with_name(table_file.name + ".lock"), "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            table = self.get_table(exchange)
            changed = change(list(table))
            if changed != table:
                write_atomically(table_file, str_to_bytes(dumps(changed)), scratch=self.writing_folder)


class Transport(filesystem.Transport):
    Channel = Channel
    driver_name = "filesystem-atomic"
