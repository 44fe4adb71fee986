"""Match digests: choosing jobs, rendering text+HTML, outbox, SMTP sending, unsubscribe, consent.

`digests.send_digests(db, settings)` is the whole run; the pieces live in their own modules:
`selection` (which jobs), `rendering` (the email), `outbox` (no duplicates), `delivery`
(SMTP, retries, bounces), `consent` (the CASL ledger), `links` (signed email links),
`mailcatcher` (a local SMTP server for the demo). Import from those modules: this package
stays light so that the web app's email links do not load the ranking.
"""
