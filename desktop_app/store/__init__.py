"""The library store: peewee models on SQLite (WAL), FTS5 search, migrations. No Qt here."""

from desktop_app.store.db import open_database
from desktop_app.store.repository import Repository

__all__ = ["Repository", "open_database"]
