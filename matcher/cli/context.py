"""What every command receives: the settings and a lazily opened database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matcher.config import Settings

if TYPE_CHECKING:  # sqlite-utils (and pandas, when installed) load only for commands using a db
    from sqlite_utils import Database


class CliContext:
    """Settings plus the database, opened on first use and closed when the command ends."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        if self._db is None:
            from matcher.store import open_database

            self._db = open_database(self.settings.db_path)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
