"""The SQLite store: opening a database, write transactions, and the schema's migrations."""

from matcher.store.database import (
    StoreError,
    open_database,
    utc_now,
    write_transaction,
)

__all__ = ["StoreError", "open_database", "utc_now", "write_transaction"]
