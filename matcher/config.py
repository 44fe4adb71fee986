"""Configuration, read once from the environment (a `.env` file may set it)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from dotenv import load_dotenv

from matcher.fit import band_named


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Every setting the product reads; command-line options override them via `replace`."""

    db_path: Path = Path("var/talentmatch.db")
    models_dir: Path = Path("models")
    # Where `serve` listens; links in emails use it unless TALENTMATCH_BASE_URL is set
    # (`base_url_is_set`), so `make run PORT=8101` mails links to :8101.
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    base_url: str = "http://127.0.0.1:8000"
    base_url_is_set: bool = False
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "talentmatch <matches@talentmatch.local>"
    secret_key: str | None = None
    mail_dir: Path = Path("var/mail")
    # The scheduler process (`jobs.scheduler`): the zone of its cron times, when each job
    # runs (five crontab fields, the day of the week by name), and how late a missed run
    # may still start.
    scheduler_timezone: str = "America/Toronto"
    retrain_cron: str = "0 3 * * *"
    digest_cron: str = "0 8 * * *"
    employer_emails_cron: str = "0 8 * * *"  # employers' daily "new strong matches" email
    outbox_cron: str = "* * * * *"  # whatever is due in the outbox (contact emails, retries)
    housekeeping_cron: str = "30 4 * * *"
    misfire_grace_seconds: int = 3600
    # The lowest fit band (matcher.fit: strong, good, fair, weak) a job needs to be mailed.
    digest_min_band: str = "good"
    dask_scheduler: str | None = None  # `batch-match` on this cluster; None: a local one

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with every override that is not None applied."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def served_at(self, host: str, port: int) -> Settings:
        """These settings for a server on `host:port`: links follow it unless the base URL
        was set."""
        moved = replace(self, http_host=host, http_port=port)
        if self.base_url_is_set:
            return moved
        return replace(moved, base_url=url_for_address(host, port))


# Listening on every interface: links name this machine instead.
_ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def url_for_address(host: str, port: int) -> str:
    """The plain-HTTP base URL of a server listening on `host:port`."""
    host = _ANY_ADDRESS.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Settings from `environ` (default: the process environment plus `.env`)."""
    if environ is None:
        load_dotenv(override=False)
        environ = dict(os.environ)
    get = environ.get
    defaults = Settings()
    http_host = get("TALENTMATCH_HOST") or defaults.http_host
    http_port = int(get("TALENTMATCH_PORT") or defaults.http_port)
    base_url = get("TALENTMATCH_BASE_URL") or url_for_address(http_host, http_port)
    return Settings(
        db_path=Path(get("TALENTMATCH_DB") or defaults.db_path),
        models_dir=Path(get("TALENTMATCH_MODELS") or defaults.models_dir),
        http_host=http_host,
        http_port=http_port,
        base_url=base_url.rstrip("/"),
        base_url_is_set=bool(get("TALENTMATCH_BASE_URL")),
        smtp_host=get("TALENTMATCH_SMTP_HOST") or defaults.smtp_host,
        smtp_port=int(get("TALENTMATCH_SMTP_PORT") or defaults.smtp_port),
        smtp_user=get("TALENTMATCH_SMTP_USER") or None,
        smtp_password=get("TALENTMATCH_SMTP_PASSWORD") or None,
        smtp_starttls=_flag(get("TALENTMATCH_SMTP_STARTTLS"), defaults.smtp_starttls),
        mail_from=get("TALENTMATCH_MAIL_FROM") or defaults.mail_from,
        secret_key=get("TALENTMATCH_SECRET_KEY") or None,
        mail_dir=Path(get("TALENTMATCH_MAIL_DIR") or defaults.mail_dir),
        scheduler_timezone=get("TALENTMATCH_SCHEDULER_TIMEZONE") or defaults.scheduler_timezone,
        retrain_cron=get("TALENTMATCH_RETRAIN_CRON") or defaults.retrain_cron,
        digest_cron=get("TALENTMATCH_DIGEST_CRON") or defaults.digest_cron,
        employer_emails_cron=get("TALENTMATCH_EMPLOYER_EMAILS_CRON")
        or defaults.employer_emails_cron,
        outbox_cron=get("TALENTMATCH_OUTBOX_CRON") or defaults.outbox_cron,
        housekeeping_cron=get("TALENTMATCH_HOUSEKEEPING_CRON") or defaults.housekeeping_cron,
        misfire_grace_seconds=int(
            get("TALENTMATCH_MISFIRE_GRACE_SECONDS") or defaults.misfire_grace_seconds
        ),
        digest_min_band=band_named(
            get("TALENTMATCH_DIGEST_MIN_BAND") or defaults.digest_min_band
        ).key,
        dask_scheduler=get("TALENTMATCH_DASK_SCHEDULER") or None,
    )


def resolve_secret_key(settings: Settings) -> str:
    """TALENTMATCH_SECRET_KEY, else a random key kept in a 0600 file beside the database.

    The web app (sessions, CSRF) and the email links (unsubscribe tokens) must share it,
    and it must survive restarts, so a local run without configuration still works.
    """
    if settings.secret_key:
        return settings.secret_key
    key_file = settings.db_path.parent / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        # Write then link: a process racing us either wins the link or reads a whole key.
        draft = key_file.with_name(f".secret_key.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()
