"""Email addresses in one canonical form, on every path that takes one.

The canonical form keeps the local part as typed (Unicode NFC, surrounding blanks removed)
and writes the domain in lower-case ASCII, internationalised labels as IDNA punycode (UTS #46,
as browsers do): `hiring@Gaspé-Analytics.example` is stored and looked up as
`hiring@xn--gasp-analytics-ekb.example`. Chromium sends an `<input type="email">` either way,
so sign-up, sign-in, import, the API, the CLI and email changes all pass through
`canonical_email` and one account answers to both spellings. ASCII domains also suit SMTP
servers without SMTPUTF8; `display_email` gives the Unicode spelling back for people.
"""

from __future__ import annotations

import unicodedata

import idna


class InvalidEmail(ValueError):
    """Not an email address: no `@`, an empty side, or a domain IDNA cannot encode."""


def canonical_email(address: str) -> str:
    """The address with its domain in lower-case ASCII (punycode); InvalidEmail otherwise."""
    address = unicodedata.normalize("NFC", address.strip())
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail(f"{address!r} is not a valid email address.")
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise InvalidEmail(f"{address!r} is not a valid email address.") from None
    return f"{local}@{ascii_domain}"


def canonical_or_as_typed(address: str) -> str:
    """The canonical form when there is one, else the stripped text (for lookups that then
    simply find nothing)."""
    try:
        return canonical_email(address)
    except InvalidEmail:
        return address.strip()


def display_email(address: str) -> str:
    """The address with its domain in Unicode, for pages and greetings."""
    local, _, domain = address.rpartition("@")
    try:
        return f"{local}@{idna.decode(domain)}"
    except (idna.IDNAError, UnicodeError):
        return address
