"""Links in match emails: signed ones (unsubscribe, "not relevant", "I'm interested",
"Not for me"), usable without signing in, and plain ones to pages behind sign-in.

A token names the action, the worker and (for feedback) the job, and carries an HMAC of
them under the app's secret key, so nobody can forge a link for someone else. Tokens do not
expire: an unsubscribe link in a year-old email must still work.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote

UNSUBSCRIBE = "unsubscribe"
NOT_RELEVANT = "not_relevant"
# The worker-interest choices of `matcher.hiring.interest`, as link actions.
INTERESTED = "interested"
NOT_FOR_ME = "not_for_me"
ACTIONS = (UNSUBSCRIBE, NOT_RELEVANT, INTERESTED, NOT_FOR_ME)
INTEREST_PATHS = {INTERESTED: "interested", NOT_FOR_ME: "not-for-me"}
_DOMAIN = b"talentmatch-email-link-v1:"


class InvalidLinkToken(ValueError):
    """The token was altered, truncated, or signed with another key."""


@dataclass(frozen=True)
class LinkClaim:
    """What a verified token allows: `action` for `worker_id` (and `job_id` for feedback)."""

    action: str
    worker_id: int
    job_id: int | None = None


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
    job = "" if claim.job_id is None else str(claim.job_id)
    payload = f"{claim.action}:{claim.worker_id}:{job}".encode()
    return f"{_b64(payload)}.{_signature(secret_key, payload)}"


def read_link_token(secret_key: str, token: str, *, action: str) -> LinkClaim:
    """The claim in `token` if its signature holds and it is for `action`, else InvalidLinkToken."""
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
        token_action, worker, job = payload.decode("utf-8").split(":")
        claim = LinkClaim(token_action, int(worker), int(job) if job else None)
    except ValueError as error:  # only a leaked key could sign such a payload
        raise InvalidLinkToken("malformed payload") from error
    if token_action != action:
        raise InvalidLinkToken(f"token is for {token_action}, not {action}")
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


def interest_url(base_url: str, secret_key: str, worker_id: int, job_id: int, choice: str) -> str:
    """The page where a worker answers "I'm interested" or "Not for me" to one job."""
    token = make_link_token(secret_key, LinkClaim(choice, worker_id, job_id))
    return f"{base_url}/email/{INTEREST_PATHS[choice]}/{token}"


def job_page_url(base_url: str, job_external_id: str) -> str:
    """The worker's page of a job (plain: it asks to sign in first, then shows the job)."""
    return f"{base_url}/me/jobs/{quote(job_external_id, safe='')}"


def sign_in_url(base_url: str) -> str:
    return f"{base_url}/sign-in"
