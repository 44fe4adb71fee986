"""Accounts: users with hashed passwords, server-side sessions, API tokens, sign-in throttling.

Passwords are hashed with scrypt and a per-user salt (stdlib only, so `matcher` needs no web
library). Session and API tokens are random; only their SHA-256 is stored, so a copy of the
database does not let anyone sign in. Failed sign-ins live in the database, so throttling holds
across every web process.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlite_utils import Database

from matcher.email_addresses import InvalidEmail, canonical_email, canonical_or_as_typed
from matcher.i18n import N_, LocalizedError
from matcher.records.workers import WorkerRecord, live_worker_id, parse_worker, save_worker
from matcher.store import utc_now, write_transaction

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
MIN_PASSWORD_LENGTH = 10

# Sign-in throttling: growing delays, never a hard lock (OWASP ASVS 5.0 V6.3). Failures are
# counted within THROTTLE_WINDOW by (account, client), by account over unknown clients, and
# by client over all accounts. Past a key's free failures, the next attempt must wait
# BASE_DELAY * 2**(failures - free) after that key's latest failure, at most MAX_DELAY. A
# client is a known device (a browser that signed in to this account before, by its device
# cookie) or else its remote address; a known device is throttled only by its own failures,
# so nobody else's failures can keep the owner out. See docs/SECURITY.md.
THROTTLE_WINDOW = dt.timedelta(minutes=15)
PAIR_FREE_FAILURES = 5
ACCOUNT_FREE_FAILURES = 20
CLIENT_FREE_FAILURES = 50
BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(minutes=15)
# Kept for callers that read it: the failures one (account, client) pair may make freely.
MAX_FAILURES_PER_EMAIL = PAIR_FREE_FAILURES

# Sign-ups and email-change requests: at most this many per client within the window.
RATE_LIMITS = {
    "sign_up": (5, dt.timedelta(hours=1)),
    # Per address asked for, so nobody floods an owner's inbox from many clients.
    "sign_up_address": (3, dt.timedelta(hours=1)),
    "email_change": (5, dt.timedelta(hours=1)),
}
# How long a sign-up link works.
SIGN_UP_LINK_AGE = dt.timedelta(hours=24)

DEFAULT_IDLE_TIMEOUT = dt.timedelta(minutes=30)
SESSION_MAX_AGE = dt.timedelta(hours=12)
# last_seen_at is refreshed at most this often, so most requests read without writing.
LAST_SEEN_RESOLUTION = dt.timedelta(seconds=60)

API_TOKEN_PREFIX = "tm_"


class AccountError(LocalizedError):
    """An account operation was refused; the message is safe to show (`localized` on pages)."""


class SignInThrottled(AccountError):
    """Too many failed sign-ins recently; try again later."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(N_("Too many failed sign-ins. Try again in a few minutes."))
        self.retry_after_seconds = retry_after_seconds


class RateLimited(AccountError):
    """Too many attempts at an action from one client; try again later."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(N_("Too many attempts from your connection. Try again later."))
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class User:
    """A signed-in person: an employer user, a worker or an operator."""

    id: int
    email: str
    role: str
    employer_id: int | None
    employer_name: str | None
    worker_id: int | None


# ---- time helpers ------------------------------------------------------------------------


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else _parse_time(utc_now())


# ---- passwords ---------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str) -> str:
    """A salted scrypt hash of `password`, with its parameters, as one text field."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=128 * r * n * 2, dklen=32
    )


def verify_password(password: str, stored_hash: str) -> bool:
    """Whether `password` matches `stored_hash`, compared in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored_hash.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    return hmac.compare_digest(candidate, base64.b64decode(digest))


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when the address is unknown, so both paths take the same
    time; made on first use (a scrypt costs every command that imports this module 50 ms)."""
    return hash_password(secrets.token_urlsafe(16))


def check_password_strength(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            N_("The password must have at least %(count)d characters."), count=MIN_PASSWORD_LENGTH
        )


# ---- users -------------------------------------------------------------------------------

_USER_COLUMNS = """
    users.id, users.email, users.role, users.employer_id, employers.name AS employer_name,
    users.worker_id, users.password_hash, users.disabled_at
"""
_EMPLOYER_JOIN = "LEFT JOIN employers ON employers.id = users.employer_id"
_USER_FROM = f"users {_EMPLOYER_JOIN}"


def _user_from_row(row: dict) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        role=row["role"],
        employer_id=row["employer_id"],
        employer_name=row["employer_name"],
        worker_id=row["worker_id"],
    )


def _user_row_by_email(db: Database, email: str) -> dict | None:
    rows = db.query(f"SELECT {_USER_COLUMNS} FROM {_USER_FROM} WHERE users.email = ?", [email])
    return next(iter(rows), None)


def get_user(db: Database, user_id: int) -> User | None:
    """The user with this id, or None."""
    rows = db.query(f"SELECT {_USER_COLUMNS} FROM {_USER_FROM} WHERE users.id = ?", [user_id])
    row = next(iter(rows), None)
    return _user_from_row(row) if row else None


def find_user_by_email(db: Database, email: str) -> User | None:
    """The user with this address (either spelling of its domain, case ignored), or None."""
    row = _user_row_by_email(db, canonical_or_as_typed(email))
    return _user_from_row(row) if row else None


def ensure_employer(db: Database, name: str) -> int:
    """The id of the employer called `name`, created if new."""
    name = name.strip()
    if not name:
        raise AccountError(N_("The employer name is required."))
    with write_transaction(db):
        row = next(iter(db.query("SELECT id FROM employers WHERE name = ?", [name])), None)
        if row:
            return row["id"]
        cursor = db.execute(
            "INSERT INTO employers (name, created_at) VALUES (?, ?)", [name, utc_now()]
        )
        return cursor.lastrowid


def _validate_email(email: str) -> str:
    """The address in its canonical form (`matcher.email_addresses`); AccountError if invalid."""
    try:
        canonical = canonical_email(email)
    except InvalidEmail:
        canonical = ""
    if not canonical or "." not in canonical.rpartition("@")[2] or " " in canonical:
        raise AccountError(
            N_("%(address)s is not a valid email address."), address=repr(email.strip())
        )
    return canonical


def create_user(
    db: Database,
    *,
    email: str,
    password: str,
    role: str = "employer",
    employer_name: str | None = None,
    worker_id: int | None = None,
) -> User:
    """A new user; an employer user needs `employer_name` (the employer is created if new)."""
    email = _validate_email(email)
    check_password_strength(password)
    if role == "employer" and not employer_name:
        raise AccountError(N_("An employer user needs an employer."))
    return _insert_user(db, email, hash_password(password), role, employer_name, worker_id)


def _insert_user(
    db: Database,
    email: str,
    password_hash: str,
    role: str,
    employer_name: str | None,
    worker_id: int | None,
) -> User:
    with write_transaction(db):
        if _user_row_by_email(db, email):
            raise AccountError(N_("A user with the address %(email)s already exists."), email=email)
        employer_id = ensure_employer(db, employer_name) if role == "employer" else None
        cursor = db.execute(
            """INSERT INTO users (email, password_hash, role, employer_id, worker_id, created_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [email, password_hash, role, employer_id, worker_id, utc_now()],
        )
    return get_user(db, cursor.lastrowid)


def change_email(db: Database, user_id: int, old_email: str, new_email: str) -> User:
    """Move the user (and their worker profile) from `old_email` to `new_email`.

    Refused when the account's address is no longer `old_email` (an old link) or the new one
    is taken by then.
    """
    new_email = _validate_email(new_email)
    with write_transaction(db):
        user = get_user(db, user_id)
        if user is None or user.email.lower() != canonical_or_as_typed(old_email).lower():
            raise AccountError(N_("This link is no longer valid."))
        if _user_row_by_email(db, new_email):
            raise AccountError(N_("This link is no longer valid."))
        db.execute("UPDATE users SET email = ? WHERE id = ?", [new_email, user_id])
        if user.worker_id is not None:
            db.execute("UPDATE workers SET email = ? WHERE id = ?", [new_email, user.worker_id])
    return get_user(db, user_id)


# ---- sign-in and throttling --------------------------------------------------------------


def client_key(remote_addr: str | None, device: str | None = None) -> str:
    """Who a throttle counts: a known device's id, else the remote address."""
    return f"device:{device}" if device else f"addr:{remote_addr or 'unknown'}"


def _failures(db: Database, where: str, params: list, since: str) -> tuple[int, str | None]:
    sql = f"SELECT count(*), max(at) FROM sign_in_failures WHERE {where} AND at >= ?"
    count, latest = db.execute(sql, [*params, since]).fetchone()
    return count, latest


def _wait_after(failures: int, free: int, latest: str | None, now: dt.datetime) -> float:
    """Seconds still to wait after `failures` (latest at `latest`) when `free` are free."""
    if failures < free or latest is None:
        return 0.0
    delay = min(BASE_DELAY * 2 ** (failures - free), MAX_DELAY)
    return max((_parse_time(latest) + delay - now).total_seconds(), 0.0)


def _check_throttle(db: Database, email: str, client: str, now: dt.datetime) -> None:
    since = _format_time(now - THROTTLE_WINDOW)
    waits = [_pair_wait(db, email, client, since, now)]
    if not client.startswith("device:"):
        count, latest = _failures(db, "email = ? AND client LIKE 'addr:%'", [email], since)
        waits.append(_wait_after(count, ACCOUNT_FREE_FAILURES, latest, now))
        count, latest = _failures(db, "client = ?", [client], since)
        waits.append(_wait_after(count, CLIENT_FREE_FAILURES, latest, now))
    wait = max(waits)
    if wait > 0:
        raise SignInThrottled(int(wait) + 1)


def _pair_wait(db: Database, email: str, client: str, since: str, now: dt.datetime) -> float:
    count, latest = _failures(db, "email = ? AND client = ?", [email, client], since)
    return _wait_after(count, PAIR_FREE_FAILURES, latest, now)


def authenticate(
    db: Database,
    email: str,
    password: str,
    *,
    remote_addr: str | None = None,
    device: str | None = None,
    now: dt.datetime | None = None,
) -> User | None:
    """The user if `email` and `password` match an active account, else None.

    `device` is the id of a known device of this account (the web layer reads it from a
    signed cookie). Raises SignInThrottled, before checking the password, while a recent
    failure's delay runs.
    """
    email = canonical_or_as_typed(email)
    moment = _now(now)
    client = client_key(remote_addr, device)
    _check_throttle(db, email, client, moment)
    row = _user_row_by_email(db, email)
    matches = verify_password(password, row["password_hash"] if row else _dummy_hash())
    if row and matches and not row["disabled_at"]:
        with write_transaction(db):
            db.execute(
                "DELETE FROM sign_in_failures WHERE email = ? AND client = ?", [email, client]
            )
        return _user_from_row(row)
    with write_transaction(db):
        db.execute(
            "INSERT INTO sign_in_failures (email, remote_addr, client, at) VALUES (?, ?, ?, ?)",
            [email, remote_addr, client, _format_time(moment)],
        )
    return None


def check_rate_limit(
    db: Database, action: str, remote_addr: str | None, *, now: dt.datetime | None = None
) -> None:
    """Count one `action` by this client, or raise RateLimited when over RATE_LIMITS."""
    limit, window = RATE_LIMITS[action]
    moment = _now(now)
    client = client_key(remote_addr)
    with write_transaction(db):
        count, oldest = db.execute(
            "SELECT count(*), min(at) FROM rate_limited_events"
            " WHERE action = ? AND client = ? AND at >= ?",
            [action, client, _format_time(moment - window)],
        ).fetchone()
        if count >= limit:
            retry = (_parse_time(oldest) + window - moment).total_seconds()
            raise RateLimited(max(int(retry), 1))
        db.execute(
            "INSERT INTO rate_limited_events (action, client, at) VALUES (?, ?, ?)",
            [action, client, _format_time(moment)],
        )


# ---- sessions ----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(db: Database, user_id: int, *, now: dt.datetime | None = None) -> str:
    """Start a session for the user; returns the token for the cookie (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    moment = _format_time(_now(now))
    with write_transaction(db):
        db.execute(
            """INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at)
               VALUES (?, ?, ?, ?)""",
            [_token_hash(token), user_id, moment, moment],
        )
    return token


def user_for_session(
    db: Database,
    token: str,
    *,
    idle_timeout: dt.timedelta = DEFAULT_IDLE_TIMEOUT,
    now: dt.datetime | None = None,
) -> User | None:
    """The user of a live session, refreshing its idle clock; None if ended, idle or expired."""
    moment = _now(now)
    token_hash = _token_hash(token)
    row = next(
        iter(
            db.query(
                f"""SELECT {_USER_COLUMNS}, sessions.created_at AS session_created_at,
                       sessions.last_seen_at, sessions.ended_at
                    FROM sessions JOIN users ON users.id = sessions.user_id {_EMPLOYER_JOIN}
                    WHERE sessions.token_hash = ?""",
                [token_hash],
            )
        ),
        None,
    )
    if row is None or row["ended_at"] or row["disabled_at"]:
        return None
    last_seen = _parse_time(row["last_seen_at"])
    expired = moment - _parse_time(row["session_created_at"]) > SESSION_MAX_AGE
    if expired or moment - last_seen > idle_timeout:
        end_session(db, token, now=moment)
        return None
    if moment - last_seen >= LAST_SEEN_RESOLUTION:
        with write_transaction(db):
            db.execute(
                "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                [_format_time(moment), token_hash],
            )
    return _user_from_row(row)


def end_session(db: Database, token: str, *, now: dt.datetime | None = None) -> None:
    """End the session on the server, so its cookie no longer signs anyone in."""
    with write_transaction(db):
        db.execute(
            "UPDATE sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
            [_format_time(_now(now)), _token_hash(token)],
        )


# ---- API tokens --------------------------------------------------------------------------


def create_api_token(db: Database, user_id: int) -> str:
    """A new API token for the user; shown once, stored only hashed."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction(db):
        db.execute(
            "INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)",
            [user_id, _token_hash(token), utc_now()],
        )
    return token


def user_for_api_token(db: Database, token: str, *, now: dt.datetime | None = None) -> User | None:
    """The user owning a live API token, or None."""
    token_hash = _token_hash(token)
    row = next(
        iter(
            db.query(
                f"""SELECT {_USER_COLUMNS}, api_tokens.last_used_at
                    FROM api_tokens JOIN users ON users.id = api_tokens.user_id
                    {_EMPLOYER_JOIN}
                    WHERE api_tokens.token_hash = ? AND api_tokens.revoked_at IS NULL""",
                [token_hash],
            )
        ),
        None,
    )
    if row is None or row["disabled_at"]:
        return None
    moment = _now(now)
    last_used = row["last_used_at"]
    if last_used is None or moment - _parse_time(last_used) >= LAST_SEEN_RESOLUTION:
        with write_transaction(db):
            db.execute(
                "UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?",
                [_format_time(moment), token_hash],
            )
    return _user_from_row(row)


def revoke_api_token(db: Database, token: str) -> None:
    """Revoke a token so it no longer authenticates."""
    with write_transaction(db):
        db.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
            [utc_now(), _token_hash(token)],
        )


# ---- demo accounts -----------------------------------------------------------------------

DEMO_PASSWORD = "demo-password"


def demo_email_for(employer_name: str) -> str:
    """The demo sign-in address of an employer: `hiring@<name-as-slug>.example`."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in employer_name.lower()).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    return f"hiring@{slug or 'employer'}.example"


def ensure_demo_users(db: Database) -> list[tuple[str, str]]:
    """One demo user per employer (created if missing); returns (employer, email) pairs."""
    accounts = []
    for employer in db.query("SELECT name FROM employers ORDER BY name"):
        email = demo_email_for(employer["name"])
        if _user_row_by_email(db, canonical_or_as_typed(email)) is None:
            create_user(db, email=email, password=DEMO_PASSWORD, employer_name=employer["name"])
        accounts.append((employer["name"], email))
    return accounts


# ---- worker accounts and sign-in addresses -----------------------------------------------


def create_worker_account(db: Database, record: WorkerRecord, password: str) -> User:
    """A new worker row and its sign-in account together, or neither."""
    check_password_strength(password)
    return _create_worker_with_hash(db, record, hash_password(password))


def _create_worker_with_hash(db: Database, record: WorkerRecord, password_hash: str) -> User:
    with write_transaction(db):
        save_worker(db, record, source="web")
        worker_id = live_worker_id(db, record.external_id)
        email = _validate_email(record.email)
        return _insert_user(db, email, password_hash, "worker", None, worker_id)


# ---- sign-up through an emailed link -----------------------------------------------------


@dataclass(frozen=True)
class SignUpRequest:
    """What the sign-up form asked for; the worker row is made when the link is used."""

    email: str
    name: str
    password: str
    work_authorization: str
    match_emails: bool
    preferred_language: str | None = None


def start_sign_up(
    db: Database, request: SignUpRequest, *, now: dt.datetime | None = None
) -> str | None:
    """A sign-up link's token for a free address, or None when the address has an account.

    Both paths hash the password, so they take the same time; the caller sends the link, or
    tells the address's owner, and answers the same either way.
    """
    check_password_strength(request.password)
    password_hash = hash_password(request.password)
    if _user_row_by_email(db, request.email):
        return None
    token = secrets.token_urlsafe(32)
    with write_transaction(db):
        db.execute(
            "INSERT INTO pending_sign_ups (token_hash, email, name, password_hash,"
            " work_authorization, match_emails, preferred_language, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                _token_hash(token),
                request.email,
                request.name,
                password_hash,
                request.work_authorization,
                int(request.match_emails),
                request.preferred_language,
                _format_time(_now(now)),
            ],
        )
    return token


def pending_sign_up_email(
    db: Database, token: str, *, now: dt.datetime | None = None
) -> str | None:
    """The address a sign-up link would create an account for, or None if it is not valid."""
    row = _pending_sign_up(db, token, _now(now))
    return row["email"] if row else None


def finish_sign_up(
    db: Database, token: str, external_id: str, *, now: dt.datetime | None = None
) -> User:
    """Create the worker and account a sign-up link stands for; the link then stops working."""
    with write_transaction(db):
        row = _pending_sign_up(db, token, _now(now))
        if row is None or _user_row_by_email(db, row["email"]):
            raise AccountError(N_("This link is no longer valid. Sign up again or sign in."))
        db.execute("DELETE FROM pending_sign_ups WHERE email = ?", [row["email"]])
        record = parse_worker(
            {
                "external_id": external_id,
                "name": row["name"],
                "email": row["email"],
                "work_authorization": row["work_authorization"],
                "match_emails": bool(row["match_emails"]),
                "preferred_language": row["preferred_language"],
            }
        )
        return _create_worker_with_hash(db, record, row["password_hash"])


def _pending_sign_up(db: Database, token: str, now: dt.datetime) -> dict | None:
    cursor = db.execute(
        "SELECT email, name, password_hash, work_authorization, match_emails,"
        " preferred_language FROM pending_sign_ups WHERE token_hash = ? AND created_at >= ?",
        [_token_hash(token), _format_time(now - SIGN_UP_LINK_AGE)],
    )
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row, strict=True)) if row else None
