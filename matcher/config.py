"""Configuration, read once from the environment (a `.env` file may set it)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from dotenv import load_dotenv


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Every setting the product reads; command-line options override them via `replace`."""

    db_path: Path = Path("var/talentmatch.db")
    models_dir: Path = Path("models")
    base_url: str = "http://127.0.0.1:8000"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "talentmatch <matches@talentmatch.local>"
    secret_key: str | None = None
    mail_dir: Path = Path("var/mail")
    dask_scheduler: str | None = None  # `batch-match` on this cluster; None: a local one

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with every override that is not None applied."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Settings from `environ` (default: the process environment plus `.env`)."""
    if environ is None:
        load_dotenv(override=False)
        environ = dict(os.environ)
    get = environ.get
    defaults = Settings()
    return Settings(
        db_path=Path(get("TALENTMATCH_DB") or defaults.db_path),
        models_dir=Path(get("TALENTMATCH_MODELS") or defaults.models_dir),
        base_url=(get("TALENTMATCH_BASE_URL") or defaults.base_url).rstrip("/"),
        smtp_host=get("TALENTMATCH_SMTP_HOST") or defaults.smtp_host,
        smtp_port=int(get("TALENTMATCH_SMTP_PORT") or defaults.smtp_port),
        smtp_user=get("TALENTMATCH_SMTP_USER") or None,
        smtp_password=get("TALENTMATCH_SMTP_PASSWORD") or None,
        smtp_starttls=_flag(get("TALENTMATCH_SMTP_STARTTLS"), defaults.smtp_starttls),
        mail_from=get("TALENTMATCH_MAIL_FROM") or defaults.mail_from,
        secret_key=get("TALENTMATCH_SECRET_KEY") or None,
        mail_dir=Path(get("TALENTMATCH_MAIL_DIR") or defaults.mail_dir),
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
