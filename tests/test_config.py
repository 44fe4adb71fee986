"""Configuration from the environment, and the persistent secret key."""

from __future__ import annotations

import stat
from pathlib import Path

from matcher.config import load_settings, resolve_secret_key


def test_settings_come_from_the_environment():
    settings = load_settings(
        {
            "TALENTMATCH_DB": "/data/tm.db",
            "TALENTMATCH_MODELS": "/data/models",
            "TALENTMATCH_BASE_URL": "https://talentmatch.example/",
            "TALENTMATCH_SMTP_PORT": "2525",
            "TALENTMATCH_SMTP_STARTTLS": "yes",
        }
    )
    assert settings.db_path == Path("/data/tm.db")
    assert settings.models_dir == Path("/data/models")
    assert settings.base_url == "https://talentmatch.example"
    assert settings.smtp_port == 2525
    assert settings.smtp_starttls is True


def test_overrides_win_and_none_keeps_the_setting():
    settings = load_settings({"TALENTMATCH_DB": "a.db"})
    assert settings.with_overrides(db_path=Path("b.db"), models_dir=None).db_path == Path("b.db")
    assert settings.with_overrides(db_path=None).db_path == Path("a.db")


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    settings = load_settings({"TALENTMATCH_DB": str(tmp_path / "var" / "tm.db")})
    first = resolve_secret_key(settings)
    assert len(first) >= 32
    assert resolve_secret_key(settings) == first
    mode = (tmp_path / "var" / "secret_key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_configured_secret_key_is_used_as_is(tmp_path):
    settings = load_settings(
        {"TALENTMATCH_DB": str(tmp_path / "tm.db"), "TALENTMATCH_SECRET_KEY": "s3cret"}
    )
    assert resolve_secret_key(settings) == "s3cret"
    assert not (tmp_path / "secret_key").exists()


def test_scheduler_and_mail_settings_come_from_the_environment():
    settings = load_settings(
        {
            "TALENTMATCH_MAIL_DIR": "/data/mail",
            "TALENTMATCH_SCHEDULER_TIMEZONE": "America/Vancouver",
            "TALENTMATCH_RETRAIN_CRON": "0 2 * * *",
            "TALENTMATCH_DIGEST_CRON": "0 7 * * mon",
            "TALENTMATCH_HOUSEKEEPING_CRON": "0 5 * * sun",
            "TALENTMATCH_MISFIRE_GRACE_SECONDS": "60",
        }
    )
    assert settings.mail_dir == Path("/data/mail")
    assert (settings.scheduler_timezone, settings.misfire_grace_seconds) == (
        "America/Vancouver",
        60,
    )
    assert (settings.retrain_cron, settings.digest_cron, settings.housekeeping_cron) == (
        "0 2 * * *",
        "0 7 * * mon",
        "0 5 * * sun",
    )
    defaults = load_settings({})
    assert (defaults.scheduler_timezone, defaults.digest_cron) == ("America/Toronto", "0 8 * * *")
