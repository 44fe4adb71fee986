"""Signed links in emails, usable without signing in (unsubscribe, "not relevant",
"I'm interested", "Not for me", the answer to a contact request), and plain ones to pages
behind sign-in.

A token names the action, the worker and (for feedback) the job, and carries an HMAC of
them under the app's secret key, so nobody can forge a link for someone else. Unsubscribe
and feedback tokens do not expire: an unsubscribe link in a year-old email must still work.
A contact-answer token names the request too and expires (`CONTACT_LINK_LIFETIME`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote

UNSUBSCRIBE = "unsubscribe"
NOT_RELEVANT = "not_relevant"
CONTACT_ANSWER = "contact_answer"
# The worker-interest choices of `matcher.hiring.interest`, as link actions.
INTERESTED = "interested"
NOT_FOR_ME = "not_for_me"
ACTIONS = (UNSUBSCRIBE, NOT_RELEVANT, CONTACT_ANSWER, INTERESTED, NOT_FOR_ME)
INTEREST_PATHS = {INTERESTED: "interested", NOT_FOR_ME: "not-for-me"}
CONTACT_LINK_LIFETIME = dt.timedelta(days=30)
_DOMAIN = b"talentmatch-email-link-v1:"


class InvalidLinkToken(ValueError):
    """The token was altered, truncated, or signed with another key."""


class ExpiredLinkToken(InvalidLinkToken):
    """The token is genuine but its time is up."""


@dataclass(frozen=True)
class LinkClaim:
    """What a verified token allows: `action` for `worker_id` (and `job_id` for feedback,
    `request_id` and an expiry, in seconds since the epoch, for a contact answer)."""

    action: str
    worker_id: int
    job_id: int | None = None
    request_id: int | None = None
    expires: int | None = None


def _optional(number: int | None) -> str:
    return "" if number is None else str(number)


def _number_or_none(text: str) -> int | None:
    return int(text) if text else None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret_key: str, payload: bytes) -> str:
    digest = hmac.new(secret_key.encode("utf-8"), _DOMAIN + payload, hashlib.sha256).digest()
    return _b64(digest)


def make_link_token(secret_key: str, claim: LinkClaim) -> str:
    """A URL-safe token for `claim`, signed with `secret_key`."""
    if claim.action not in ACTIONS:
        raise ValueError(f"unknown link action {claim.action!r}")
    fields = [claim.action, str(claim.worker_id), _optional(claim.job_id)]
    if claim.request_id is not None or claim.expires is not None:
        fields += [_optional(claim.request_id), _optional(claim.expires)]
    payload = ":".join(fields).encode()
    return f"{_b64(payload)}.{_signature(secret_key, payload)}"


def read_link_token(
    secret_key: str, token: str, *, action: str, now: dt.datetime | None = None
) -> LinkClaim:
    """The claim in `token` if its signature holds, it is for `action` and has not expired
    (at `now`, default the current time); InvalidLinkToken (ExpiredLinkToken) otherwise."""
    try:
        encoded, signature = token.split(".")
        payload = _unb64(encoded)
    except (ValueError, TypeError) as error:
        raise InvalidLinkToken("malformed token") from error
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a URL may hold any).
    given = signature.encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(given, _signature(secret_key, payload).encode("ascii")):
        raise InvalidLinkToken("bad signature")
    try:
        token_action, worker, job, *rest = payload.decode("utf-8").split(":")
        request, expires = rest or ("", "")
        claim = LinkClaim(
            token_action,
            int(worker),
            _number_or_none(job),
            _number_or_none(request),
            _number_or_none(expires),
        )
    except ValueError as error:  # only a leaked key could sign such a payload
        raise InvalidLinkToken("malformed payload") from error
    if token_action != action:
        raise InvalidLinkToken(f"token is for {token_action}, not {action}")
    moment = now or dt.datetime.now(dt.UTC)
    if claim.expires is not None and moment.timestamp() > claim.expires:
        raise ExpiredLinkToken("the link has expired")
    return claim


def unsubscribe_url(base_url: str, secret_key: str, worker_id: int) -> str:
    """The visible unsubscribe page (a confirm button on it)."""
    token = make_link_token(secret_key, LinkClaim(UNSUBSCRIBE, worker_id))
    return f"{base_url}/email/unsubscribe/{token}"


def one_click_unsubscribe_url(base_url: str, secret_key: str, worker_id: int) -> str:
    """The RFC 8058 endpoint that mail clients POST `List-Unsubscribe=One-Click` to."""
    token = make_link_token(secret_key, LinkClaim(UNSUBSCRIBE, worker_id))
    return f"{base_url}/email/one-click-unsubscribe/{token}"


def not_relevant_url(base_url: str, secret_key: str, worker_id: int, job_id: int) -> str:
    """The page where a worker marks one job in a digest as not relevant."""
    token = make_link_token(secret_key, LinkClaim(NOT_RELEVANT, worker_id, job_id))
    return f"{base_url}/email/not-relevant/{token}"


def contact_answer_url(
    base_url: str,
    secret_key: str,
    worker_id: int,
    request_id: int,
    answer: str,
    *,
    issued_at: dt.datetime,
) -> str:
    """The page where a worker accepts or declines (`answer`) a contact request from an email."""
    expires = int((issued_at + CONTACT_LINK_LIFETIME).timestamp())
    claim = LinkClaim(CONTACT_ANSWER, worker_id, request_id=request_id, expires=expires)
    return f"{base_url}/email/contact-requests/{make_link_token(secret_key, claim)}/{answer}"


def interest_url(base_url: str, secret_key: str, worker_id: int, job_id: int, choice: str) -> str:
    """The page where a worker answers "I'm interested" or "Not for me" to one job."""
    token = make_link_token(secret_key, LinkClaim(choice, worker_id, job_id))
    return f"{base_url}/email/{INTEREST_PATHS[choice]}/{token}"


def job_page_url(base_url: str, job_external_id: str) -> str:
    """The worker's page of a job (plain: it asks to sign in first, then shows the job)."""
    return f"{base_url}/me/jobs/{quote(job_external_id, safe='')}"


def sign_in_url(base_url: str) -> str:
    return f"{base_url}/sign-in"
