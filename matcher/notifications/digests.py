"""A digest run: choose each due worker's jobs, queue the rendered emails, deliver them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlite_utils import Database

from matcher.config import Settings, resolve_secret_key
from matcher.i18n import DEFAULT_LANGUAGE, worker_language
from matcher.notifications import delivery, outbox
from matcher.notifications.digest import DEFAULT_JOBS_PER_DIGEST, Digest
from matcher.notifications.outbox import OutboxMessage
from matcher.notifications.rendering import render_digest
from matcher.notifications.selection import choose_digests
from matcher.records.jobs import titles_in_language
from matcher.store import write_transaction


@dataclass
class DigestRunReport:
    digests: int = 0
    queued: int = 0
    jobs_listed: int = 0
    from_batch: int = 0  # digests chosen from fresh batch matches, not ranked live
    delivery: delivery.DeliveryReport | None = None
    dry_run: bool = False
    previews: list[OutboxMessage] = field(default_factory=list, repr=False)

    def counts(self) -> dict[str, int]:
        """Figures for `scheduled_job_runs.counts` and the command's output."""
        counts = {
            "digests": self.digests,
            "queued": self.queued,
            "jobs_listed": self.jobs_listed,
            "from_batch": self.from_batch,
        }
        if self.delivery is not None:
            sent = self.delivery
            counts |= {
                "sent": sent.sent,
                "retrying": sent.retrying,
                "failed": sent.failed,
                "suppressed": sent.suppressed,
                "skipped_no_consent": sent.skipped_no_consent,
            }
        return counts


def outbox_message(
    digest: Digest, settings: Settings, secret_key: str, language: str = DEFAULT_LANGUAGE
) -> OutboxMessage:
    """The rendered email of `digest` in `language`, ready for the outbox."""
    rendered = render_digest(
        digest, base_url=settings.base_url, secret_key=secret_key, language=language
    )
    return OutboxMessage(
        worker_id=digest.worker_id,
        period=digest.period,
        recipient=digest.email,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        job_ids=tuple(job.job_id for job in digest.jobs),
    )


def digest_in_language(db: Database, digest: Digest, language: str) -> Digest:
    """`digest` with each job's title as readers of `language` see it (French when given)."""
    if language == DEFAULT_LANGUAGE:
        return digest
    titles = titles_in_language(db, [job.external_id for job in digest.jobs], language)
    jobs = tuple(replace(job, title=titles.get(job.external_id, job.title)) for job in digest.jobs)
    return replace(digest, jobs=jobs)


def queue_digests(
    db: Database, settings: Settings, now: dt.datetime, *, dry_run: bool = False, **choice
) -> DigestRunReport:
    """Choose and render every due digest; queue them unless `dry_run`."""
    secret_key = resolve_secret_key(settings)
    digests = choose_digests(db, settings, now, **choice)
    messages = []
    for digest in digests:
        language = worker_language(db, digest.worker_id)
        readable = digest_in_language(db, digest, language)
        messages.append(outbox_message(readable, settings, secret_key, language))
    report = DigestRunReport(
        digests=len(digests),
        jobs_listed=sum(len(d.jobs) for d in digests),
        from_batch=sum(d.source == "batch" for d in digests),
        dry_run=dry_run,
    )
    if dry_run:
        report.previews = messages
        return report
    with write_transaction(db):
        report.queued = sum(outbox.enqueue(db, message) for message in messages)
    return report


def send_digests(
    db: Database,
    settings: Settings,
    *,
    dry_run: bool = False,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    jobs_per_digest: int = DEFAULT_JOBS_PER_DIGEST,
    min_band: str | None = None,
) -> DigestRunReport:
    """Queue this period's digests, then deliver everything due (nothing is sent on a dry run).

    `min_band`, the lowest fit band mailed, defaults to `settings.digest_min_band`.
    """
    report = queue_digests(
        db,
        settings,
        clock(),
        dry_run=dry_run,
        jobs_per_digest=jobs_per_digest,
        min_band=min_band,
    )
    if not dry_run:
        report.delivery = delivery.deliver_due(
            db, settings, resolve_secret_key(settings), clock=clock
        )
    return report
