"""`talentmatch send-digests` and `talentmatch mailcatcher`: match emails."""

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


COMMANDS: list[click.Command] = [send_digests_command, mailcatcher_command]
