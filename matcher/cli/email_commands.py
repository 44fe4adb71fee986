"""`talentmatch send-digests`, `notify-employers`, `send-emails` and `mailcatcher`: emails."""

from __future__ import annotations

import threading

import click

from matcher.fit import BAND_KEYS
from matcher.notifications.digest import DEFAULT_JOBS_PER_DIGEST


@click.command("send-digests")
@click.option("--dry-run", is_flag=True, help="Choose and render the digests; queue and send none.")
@click.option("--jobs-per-digest", default=DEFAULT_JOBS_PER_DIGEST, show_default=True, type=int)
@click.option(
    "--min-band",
    type=click.Choice(BAND_KEYS),
    help="Lowest fit band a job needs to be mailed [TALENTMATCH_DIGEST_MIN_BAND, default good].",
)
@click.pass_obj
def send_digests_command(cli, dry_run: bool, jobs_per_digest: int, min_band: str | None) -> None:
    """Email opted-in workers their best new jobs (one digest per worker and period)."""
    from matcher.notifications.delivery import DeliveryConfigurationError, SendLockBusy
    from matcher.notifications.digests import send_digests

    try:
        report = send_digests(
            cli.db,
            cli.settings,
            dry_run=dry_run,
            jobs_per_digest=jobs_per_digest,
            min_band=min_band,
        )
    except (SendLockBusy, DeliveryConfigurationError) as error:
        raise click.ClickException(str(error)) from error
    counts = report.counts()
    click.echo(" ".join(f"{name}={value}" for name, value in counts.items()))
    if dry_run:
        for message in report.previews[:3]:
            click.echo(f"would send to {message.recipient}: {message.subject}")
    if report.delivery is not None:
        for error in report.delivery.errors[:20]:
            click.echo(f"delivery problem: {error}", err=True)


@click.command("notify-employers")
@click.option("--dry-run", is_flag=True, help="Count the new strong matches; queue and send none.")
@click.pass_obj
def notify_employers_command(cli, dry_run: bool) -> None:
    """Email opted-in employer users their jobs' new strong matches (once a day each)."""
    from matcher.notifications.employer_daily import send_employer_emails

    report = _sending(lambda: send_employer_emails(cli.db, cli.settings, dry_run=dry_run))
    click.echo(" ".join(f"{name}={value}" for name, value in report.counts().items()))
    for email, matches in report.previews[:5]:
        summary = ", ".join(f"{len(m.worker_ids)} for {m.title}" for m in matches)
        click.echo(f"would send to {email}: {summary}")
    _echo_problems(report.delivery)


@click.command("send-emails")
@click.pass_obj
def send_emails_command(cli) -> None:
    """Deliver every email due in the outbox (contact requests and answers, retries)."""
    from matcher.config import resolve_secret_key
    from matcher.notifications.delivery import deliver_due

    secret_key = resolve_secret_key(cli.settings)
    report = _sending(lambda: deliver_due(cli.db, cli.settings, secret_key))
    click.echo(
        f"sent={report.sent} retrying={report.retrying} failed={report.failed}"
        f" skipped={report.skipped_no_consent} recovered={report.recovered}"
        f" interrupted={report.interrupted}"
    )
    _echo_problems(report)


def _sending(run):
    """`run()`, with a busy send lock or a refusing SMTP server as a clear error."""
    from matcher.notifications.delivery import DeliveryConfigurationError, SendLockBusy

    try:
        return run()
    except (SendLockBusy, DeliveryConfigurationError) as error:
        raise click.ClickException(str(error)) from error


def _echo_problems(report) -> None:
    for error in (report.errors if report else [])[:20]:
        click.echo(f"delivery problem: {error}", err=True)


@click.command("mailcatcher")
@click.option("--host", help="Listen address [TALENTMATCH_SMTP_HOST].")
@click.option("--port", type=int, help="Listen port [TALENTMATCH_SMTP_PORT].")
@click.pass_obj
def mailcatcher_command(cli, host: str | None, port: int | None) -> None:
    """A local SMTP server that saves every message it receives in the mail folder."""
    from matcher.notifications.mailcatcher import start_mailcatcher

    settings = cli.settings.with_overrides(smtp_host=host, smtp_port=port)
    controller = start_mailcatcher(settings.mail_dir, settings.smtp_host, settings.smtp_port)
    click.echo(
        f"catching mail on {settings.smtp_host}:{settings.smtp_port}, saving to {settings.mail_dir}"
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


COMMANDS: list[click.Command] = [
    send_digests_command,
    notify_employers_command,
    send_emails_command,
    mailcatcher_command,
]
