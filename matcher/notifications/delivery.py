"""Delivering queued emails (digests, transactional ones) over SMTP: retries, bounces, a lock.

No email is lost to a crash, and a crash repeats at most one: a row is claimed (status
sending) in a committed transaction, and marked again, committed, just before SMTP DATA.
After a crash every claimed row goes back in the queue under its first Message-ID; only one
marked may have reached the server already, so a kill during DATA can cost that one message
a second copy (docs/SECURITY.md).

A message that cannot be built (say a header the email library refuses) is marked failed
with its reason and the batch goes on.

A 4xx reply or a dropped connection is temporary: the message is retried later with
back-off. A 5xx reply to the recipient or the message is permanent: the address is
suppressed and never mailed again. Consent is checked again just before each digest
leaves, so an unsubscribe takes effect even for a digest already queued; transactional
emails need no consent but never go to a deleted worker or a disabled account.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import re
import smtplib
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

from sqlite_utils import Database

from matcher.config import Settings
from matcher.notifications import consent, links, outbox
from matcher.notifications.outbox import OutboxMessage

SMTP_TIMEOUT_SECONDS = 30
HEADER_LINE_LIMIT = 998  # RFC 5322's hard limit


class SendLockBusy(RuntimeError):
    """Another process is already sending digests for this database."""


class DeliveryConfigurationError(RuntimeError):
    """The SMTP server refused us rather than the recipient (sender or credentials)."""


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    suppressed: int = 0
    skipped_no_consent: int = 0
    recovered: int = 0
    interrupted: int = 0
    errors: list[str] = field(default_factory=list)


# The send lock is an open-file-description (OFD) byte-range lock on the database file
# itself, so it follows the file's identity (st_dev, st_ino), not the path string: a symlink,
# a hard link or a `./..` detour reaches the same lock. The byte is far past SQLite's lock
# bytes (0x40000000 to 0x400001ff), and flock (the scheduler's lock on the same file) is a
# separate kind of lock on Linux, so neither disturbs the other. Closing a descriptor of the
# file would drop the POSIX locks SQLite holds on it in this process, so each identity's
# descriptor stays open for the life of the process and is only unlocked; threads of one
# process share it and are kept apart by _HELD. The kernel drops the lock when the process
# dies, so a killed sender never blocks the next one.
_SEND_LOCK_BYTE = 1 << 40
_SEND_LOCK_DESCRIPTORS: dict[tuple[int, int], int] = {}
_SEND_LOCK_HELD: set[tuple[int, int]] = set()
_SEND_LOCK_GUARD = threading.Lock()


def _byte_lock(descriptor: int, lock_type: int) -> None:
    """Set an OFD lock of `lock_type` (F_WRLCK or F_UNLCK) on the send-lock byte, or raise
    BlockingIOError when another open file description holds it."""
    # struct flock: l_type, l_whence, l_start, l_len, l_pid (0 for OFD locks)
    request = struct.pack("hhqqi4x", lock_type, os.SEEK_SET, _SEND_LOCK_BYTE, 1, 0)
    try:
        fcntl.fcntl(descriptor, fcntl.F_OFD_SETLK, request)
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EACCES):
            raise BlockingIOError(error.errno, error.strerror) from error
        raise


def _send_lock_descriptor(db_path: Path) -> tuple[tuple[int, int], int]:
    """The database file's identity and this process's one descriptor of it."""
    if not db_path.exists():
        os.close(os.open(db_path, os.O_RDWR | os.O_CREAT, 0o600))  # SQLite's empty database
    status = os.stat(db_path)
    identity = (status.st_dev, status.st_ino)
    if identity not in _SEND_LOCK_DESCRIPTORS:
        _SEND_LOCK_DESCRIPTORS[identity] = os.open(db_path, os.O_RDWR)
    return identity, _SEND_LOCK_DESCRIPTORS[identity]


@contextlib.contextmanager
def send_lock(db_path: Path) -> Iterator[None]:
    """Hold the exclusive send lock on the database file while sending, or raise SendLockBusy."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with _SEND_LOCK_GUARD:
        identity, descriptor = _send_lock_descriptor(db_path)
        try:
            if identity in _SEND_LOCK_HELD:
                raise BlockingIOError
            _byte_lock(descriptor, fcntl.F_WRLCK)
        except BlockingIOError as error:
            raise SendLockBusy(f"another sender holds the send lock of {db_path}") from error
        _SEND_LOCK_HELD.add(identity)
    try:
        yield
    finally:
        with _SEND_LOCK_GUARD:
            _SEND_LOCK_HELD.discard(identity)
            _byte_lock(descriptor, fcntl.F_UNLCK)


def message_id_for(outbox_id: int, settings: Settings, kind: str = outbox.DIGEST) -> str:
    """A Message-ID fixed per outbox row, so a resend after a crash is recognisably the same."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "talentmatch.local"
    return f"<{kind.replace('_', '-')}-{outbox_id}@{domain}>"


_HEADER_BREAKERS = re.compile("[\\x00-\\x1f\\x7f\\u2028\\u2029]+")


def header_value(text: str) -> str:
    """`text` on one line: CR, LF and other control characters become one space each run.

    A header value with a line break would end the header (and could add a Bcc); the email
    library refuses it, so a job title with one would stop the whole batch.
    """
    return " ".join(_HEADER_BREAKERS.sub(" ", text).split())


def build_email(
    message: OutboxMessage, settings: Settings, secret_key: str, now: dt.datetime
) -> EmailMessage:
    """The multipart/alternative email for an outbox row, with RFC 8058 one-click headers."""
    email = EmailMessage()
    email["Subject"] = header_value(message.subject)
    email["From"] = header_value(settings.mail_from)
    email["To"] = header_value(message.recipient)
    email["Date"] = format_datetime(now.astimezone(dt.UTC))
    email["Message-ID"] = message_id_for(message.id, settings, message.kind)
    if message.kind == outbox.DIGEST:  # transactional emails have no list to leave
        one_click = links.one_click_unsubscribe_url(
            settings.base_url, secret_key, message.worker_id
        )
        email["List-Unsubscribe"] = f"<{one_click}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    # Headers are folded at 78 columns by default, and a long URL with no space to fold at
    # would become an RFC 2047 encoded word, which List-Unsubscribe must not contain.
    email.policy = email.policy.clone(max_line_length=HEADER_LINE_LIMIT)
    return email


class _SmtpWithDataHook(smtplib.SMTP):
    """smtplib.SMTP calling `before_data` once the envelope is accepted, just before DATA."""

    before_data: Callable[[], None] | None = None

    def data(self, msg):
        if self.before_data is not None:
            self.before_data()
        return super().data(msg)


class SmtpSession:
    """One SMTP connection, opened on first use and reopened after any failure."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: _SmtpWithDataHook | None = None

    def send(self, email: EmailMessage, before_data: Callable[[], None] | None = None) -> None:
        """Send `email`; `before_data` runs after MAIL and RCPT succeed, before DATA."""
        if self._smtp is None:
            self._smtp = self._connect()
        self._smtp.before_data = before_data
        try:
            self._smtp.send_message(email)
        except BaseException:
            self.close()
            raise
        finally:
            if self._smtp is not None:
                self._smtp.before_data = None

    def _connect(self) -> _SmtpWithDataHook:
        smtp = _SmtpWithDataHook(
            self.settings.smtp_host, self.settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS
        )
        try:
            if self.settings.smtp_starttls:
                smtp.starttls()
            if self.settings.smtp_user:
                smtp.login(self.settings.smtp_user, self.settings.smtp_password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
            smtp.close()


def classify_failure(error: Exception) -> tuple[str, str]:
    """('temporary' | 'permanent', description) for an exception raised while sending."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        return _by_code(code, reply)
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
        raise DeliveryConfigurationError(f"{error.smtp_code} {error.smtp_error!r}") from error
    if isinstance(error, smtplib.SMTPResponseException):
        return _by_code(error.smtp_code, error.smtp_error)
    return "temporary", f"{type(error).__name__}: {error}"


def _by_code(code: int, reply: bytes | str) -> tuple[str, str]:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return ("permanent" if 500 <= code < 600 else "temporary"), f"{code} {text}"


def deliver_due(
    db: Database,
    settings: Settings,
    secret_key: str,
    *,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> DeliveryReport:
    """Send every due message in the outbox (holding the send lock) and report what happened."""
    report = DeliveryReport()
    with send_lock(settings.db_path):
        report.recovered, report.interrupted = outbox.recover_interrupted(db)
        session = SmtpSession(settings)
        try:
            for outbox_id in outbox.due_message_ids(db, clock()):
                _deliver_one(db, session, outbox_id, settings, secret_key, clock(), report)
        finally:
            session.close()
    return report


def _deliver_one(
    db: Database,
    session: SmtpSession,
    outbox_id: int,
    settings: Settings,
    secret_key: str,
    now: dt.datetime,
    report: DeliveryReport,
) -> None:
    message = outbox.claim(db, outbox_id, lambda kind: message_id_for(outbox_id, settings, kind))
    if message is None:
        return
    if not _may_send(db, message):
        outbox.mark_failed(db, message, "no consent or address suppressed", count_attempt=False)
        report.skipped_no_consent += 1
        return
    try:
        if message.kind != outbox.DIGEST:
            message = _rendered(db, message, settings, secret_key)
        email = build_email(message, settings, secret_key, now)
        email.as_bytes()  # what smtplib will do: fail here, for this message only
    except Exception as error:  # the email library's refusals are not all ValueError
        reason = f"cannot build the message: {type(error).__name__}: {error}"
        outbox.mark_failed(db, message, reason, count_attempt=True)
        report.errors.append(f"{message.recipient}: {reason}")
        report.failed += 1
        return
    try:
        session.send(email, before_data=lambda: outbox.mark_handing_over(db, message, now))
    except (smtplib.SMTPException, OSError) as error:
        _record_failure(db, message, error, now, report)
    else:
        outbox.mark_sent(db, message, now)
        report.sent += 1


def _may_send(db: Database, message: OutboxMessage) -> bool:
    """Digests need the worker's consent; transactional emails only a live recipient."""
    if message.kind == outbox.DIGEST:
        return consent.may_email(db, message.worker_id)
    return consent.may_send_transactional(db, message.worker_id, message.user_id)


def _rendered(
    db: Database, message: OutboxMessage, settings: Settings, secret_key: str
) -> OutboxMessage:
    """A transactional email rendered now, with this process's base URL, kept on its row."""
    from matcher.notifications import transactional

    rendered = transactional.render(db, message, settings.base_url, secret_key)
    return outbox.store_rendering(db, message, rendered.subject, rendered.text, rendered.html)


def _record_failure(
    db: Database, message: OutboxMessage, error: Exception, now: dt.datetime, report
) -> None:
    try:
        kind, description = classify_failure(error)
    except DeliveryConfigurationError:
        outbox.mark_temporary_failure(db, message, str(error), now)
        raise
    report.errors.append(f"{message.recipient}: {description}")
    if kind == "permanent":
        outbox.mark_failed(db, message, description, count_attempt=True)
        consent.suppress_address(db, message.recipient, description)
        report.failed += 1
        report.suppressed += 1
    elif outbox.mark_temporary_failure(db, message, description, now) == "failed":
        report.failed += 1
    else:
        report.retrying += 1


def send_notice(settings: Settings, recipient: str, subject: str, text: str) -> None:
    """Send one plain-text account email now (a confirmation link, a warning to an owner)."""
    email = EmailMessage()
    email["Subject"] = header_value(subject)
    email["From"] = header_value(settings.mail_from)
    email["To"] = header_value(recipient)
    email["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(text)
    session = SmtpSession(settings)
    try:
        session.send(email)
    finally:
        session.close()
