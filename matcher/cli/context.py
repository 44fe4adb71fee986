"""What every command receives: the settings and a lazily opened database."""

from __future__ import annotations

from sqlite_utils import Database

from matcher.config import Settings
from matcher.store import open_database


class CliContext:
    """Settings plus the database, opened on first use and closed when the command ends."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = open_database(self.settings.db_path)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
