"""The batch sender's journal: outcomes sent but not yet saved in PostgreSQL, kept in the broker's Redis.

A batch sender saves its outcomes in the database every OUTBOX_SAVE_EVERY messages (100 by default),
in one statement, instead of one write per message. Until then each outcome sits in a Redis list of
the sender's own database session (``outbox:journal:<session>``), appended right after the server
accepted the message; Redis's answer is read before the next message's data goes (after its
envelope, while the mail server answers that). Redis outlives the sender's process, so when a
sender dies, whoever next takes its rows (a batch sender claiming them, the one-off sender, the
stale sweeper's batches) first replays its journal into the database and sends only what it does
not list: at most the one message that was on the wire is sent twice.

Replaying fences the dead session first (``outbox:fence:<session>``). A sender that sees its own
fence (its database session was lost while its process lived on) stops before its next message's
data, and ends that message's mail transaction with RSET.

The send checks asked in SQL are asked for a whole batch when it is claimed, not per message. Their
owners call ``send_checks_changed`` once a change they read commits (an unsubscribe, a suppression);
that moves a counter every sender reads with each append, and a sender that sees it move asks the
checks again before its next message's data goes.

Without Redis (the embedded mode's file broker, or Redis unreachable) the sender saves each outcome
with its own statement, as it always could; ``Journal.open`` answers None then.
"""

import json
import logging
import os

import hiredis
import redis
from django.conf import settings

logger = logging.getLogger(__name__)

_EPOCH = "outbox:checks-epoch"
# A fence lives long enough for the dead session's sender to see it; sessions are never reused.
_FENCE_SECONDS = 24 * 3600
_clients: dict[tuple[int, str], redis.Redis] = {}


def _client() -> redis.Redis | None:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    key = (os.getpid(), url)
    if key not in _clients:
        _clients.clear()  # a forked worker makes its own connections
        _clients[key] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return _clients[key]


def _journal_key(session: str) -> str:
    return f"outbox:journal:{session}"


def _fence_key(session: str) -> str:
    return f"outbox:fence:{session}"


_ENTRY = json.JSONEncoder(ensure_ascii=False)  # what json.dumps(..., ensure_ascii=False) builds per call


def entry(email_id: int, status: str, attempts: int, last_error: str, sent_at: float | None) -> str:
    return _ENTRY.encode([email_id, status, attempts, last_error, sent_at])


def read_entry(raw: bytes) -> tuple[int, str, int, str, float | None]:
    email_id, status, attempts, last_error, sent_at = json.loads(raw)
    return email_id, status, attempts, last_error, sent_at


def _words(words) -> bytes:
    return b"".join(b"$%d\r\n%s\r\n" % (len(word), word) for word in words)


def _command(*words: bytes) -> bytes:
    """A command as RESP, as redis-py packs it."""
    return b"*%d\r\n" % len(words) + _words(words)


class Journal:
    """One batch sender's journal, for its database session, over one Redis connection of its own.

    An append is sent without waiting for Redis: its answer (the fence and the checks' counter) is
    read by ``settle``, which the sender calls just before the next message's data goes, so that Redis
    answers while the mail server does. Waiting on a socket cost a worker here about 45 us of CPU a
    round trip, reading an answer already there 4; and still no message goes before Redis has
    answered for the previous outcome.

    The commands are written to and read from the connection's socket directly, each reply parsed by
    hiredis: redis-py's per-command machinery cost about as much as the round trip itself. The
    connection (its authentication, database and TLS) is still redis-py's, and goes back to its pool
    with nothing left unread."""

    def __init__(self, client: redis.Redis, session: str):
        self.client = client
        self.key = _journal_key(session)
        self.fence = _fence_key(session)
        self.connection = client.connection_pool.get_connection()
        self.reader = hiredis.Reader()
        # An append: RPUSH up to its one argument, the outcome; then the fence and the counter.
        self._push = b"*3\r\n" + _words([b"RPUSH", self.key.encode()])
        self._ask = _command(b"MGET", self.fence.encode(), _EPOCH.encode())
        self.owed = False  # an append whose answer is not read yet

    @classmethod
    def open(cls, session: str) -> "tuple[Journal, bytes | None] | None":
        """The session's journal and the checks' counter now; None when there is no Redis to keep it."""
        client = _client()
        if client is None:
            return None
        try:
            journal = cls(client, session)
        except redis.RedisError:
            logger.warning("no journal for the batch sender: Redis is unreachable", exc_info=True)
            return None
        try:
            journal._send(journal._ask)
            (answer,) = journal._receive(1)
        except redis.RedisError:
            logger.warning("no journal for the batch sender: Redis is unreachable", exc_info=True)
            answer = None
        if isinstance(answer, hiredis.ReplyError):
            logger.warning("no journal for the batch sender: Redis answered %s", answer)
        if not isinstance(answer, list) or answer[0] is not None:  # unreachable, an error, or fenced
            journal.release()
            return None
        return journal, answer[1]

    def append(self, line: str) -> None:
        """Sends an outcome to the journal; ``settle`` reads Redis's answer.

        Raises ``redis.RedisError`` when Redis is gone: the caller saves its outcomes itself then."""
        if self.owed:
            raise RuntimeError("the previous append's answer has not been read")
        data = line.encode()
        self._send(self._push + b"$%d\r\n%s\r\n" % (len(data), data) + self._ask)
        self.owed = True

    def settle(self) -> tuple[bool, bytes | None] | None:
        """Reads the last append's answer: whether the session has been fenced, and the checks' counter
        (None when no append awaits its answer).

        Raises ``redis.RedisError`` when Redis is gone or refused the append: it may not be listed."""
        if not self.owed:
            return None
        self.owed = False
        pushed, asked = self._receive(2)
        for reply in (pushed, asked):
            if isinstance(reply, hiredis.ReplyError):
                raise redis.ResponseError(str(reply))
        fenced, epoch = asked
        return fenced is not None, epoch

    def _send(self, commands: bytes) -> None:
        self._guarded(self._write, commands)

    def _receive(self, replies: int) -> list:
        return self._guarded(self._read, replies)

    def _guarded(self, step, argument):
        """Runs a socket step; on failure the connection is dropped, so that nothing half-read or
        half-written carries over to a new one."""
        try:
            return step(argument)
        except BaseException:
            self.connection.disconnect()
            self.reader = hiredis.Reader()
            self.owed = False
            raise

    def _write(self, commands: bytes) -> None:
        connection = self.connection
        if connection._sock is None:  # a connection the pool had closed, or never opened
            connection.connect()
        sock = connection._sock
        if sock is None:
            raise redis.ConnectionError("the journal's connection could not be opened")
        try:
            sock.sendall(commands)
        except OSError as error:  # what redis-py would raise as its own
            raise redis.ConnectionError(f"the journal's connection failed: {error}") from error

    def _read(self, replies: int) -> list:
        sock = self.connection._sock
        if sock is None:
            raise redis.ConnectionError("the journal's connection is closed")
        answers = []
        try:
            while len(answers) < replies:
                reply = self.reader.gets()
                while reply is False:
                    chunk = sock.recv(4096)
                    if not chunk:
                        raise redis.ConnectionError("Redis closed the connection")
                    self.reader.feed(chunk)
                    reply = self.reader.gets()
                answers.append(reply)
        except OSError as error:  # a timeout, a reset: what redis-py would raise as its own
            raise redis.ConnectionError(f"the journal's connection failed: {error}") from error
        return answers

    def release(self) -> None:
        """Hands the connection back to the pool (the journal stays as it is); one with an answer
        still unread is closed instead."""
        if self.owed:
            self.connection.disconnect()
            self.owed = False
        self.client.connection_pool.release(self.connection)

    def clear(self) -> None:
        """The outcomes listed so far are saved in the database: empties the journal (an append's
        answer still unread is read first, so that commands and answers stay in step)."""
        try:
            self.settle()
            self._send(_command(b"DEL", self.key.encode()))
            (reply,) = self._receive(1)
            if isinstance(reply, hiredis.ReplyError):
                raise redis.ResponseError(str(reply))
        except redis.RedisError:
            logger.warning("could not clear a batch sender's journal", exc_info=True)


def journal_take(session: str) -> list[tuple[int, str, int, str, float | None]] | None:
    """Fences a dead session and answers the outcomes its journal lists (None: Redis unreachable).

    The caller saves them, then calls ``journal_drop``."""
    client = _client()
    if client is None:
        return []
    try:
        pipeline = client.pipeline(transaction=True)
        pipeline.set(_fence_key(session), 1, ex=_FENCE_SECONDS)
        pipeline.lrange(_journal_key(session), 0, -1)
        _fenced, lines = pipeline.execute()
    except redis.RedisError:
        logger.warning("could not read the journal of session %s", session, exc_info=True)
        return None
    return [read_entry(line) for line in lines]


def journal_drop(session: str) -> None:
    client = _client()
    if client is None:
        return
    try:
        client.delete(_journal_key(session))
    except redis.RedisError:
        logger.warning("could not drop the journal of session %s", session, exc_info=True)


def send_checks_changed() -> None:
    """Tells every batch sender to ask the SQL send checks again before its next message; call it
    once the change is committed (``transaction.on_commit``)."""
    client = _client()
    if client is None:
        return
    try:
        client.incr(_EPOCH)
    except redis.RedisError:
        # Senders also ask the checks again each time they save their outcomes.
        logger.warning("could not tell the batch senders that a send check changed", exc_info=True)
