"""peewee models mirroring the schema that :mod:`migrations` creates.

The schema itself is owned by the migrations (SQL that never changes once released); these
models describe it for queries. ``tests/test_store.py`` checks that both agree.

Models are built per database by :func:`bind_models`, so two libraries can be open in one
process (tests, benchmarks, the migration backup) without rebinding global classes.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import (
    CompositeKey,
    IntegerField,
    Model,
    SqliteDatabase,
    TextField,
)


class PaperRow(Model):
    id = IntegerField(primary_key=True)
    paper_id = TextField(unique=True)
    title = TextField()
    abstract = TextField(default="")
    authors_text = TextField(default="")
    published = TextField(default="")
    updated = TextField(null=True)
    upvotes = IntegerField(default=0)
    comments = IntegerField(default=0)
    organization = TextField(null=True)
    github_repo = TextField(null=True)
    github_stars = IntegerField(null=True)
    project_page = TextField(null=True)
    thumbnail = TextField(null=True)
    ai_summary = TextField(null=True)
    ai_keywords = TextField(null=True)  # JSON list
    categories = TextField(null=True)  # space-separated
    primary_category = TextField(null=True)
    doi = TextField(null=True)
    journal_ref = TextField(null=True)
    arxiv_comment = TextField(null=True)
    version = IntegerField(null=True)
    first_seen = TextField()
    last_fetched = TextField()
    num_models = IntegerField(null=True)
    num_datasets = IntegerField(null=True)
    num_spaces = IntegerField(null=True)
    year = IntegerField(null=True)
    cite_key = TextField(null=True)
    source_rank = IntegerField(default=2)

    class Meta:
        table_name = "paper"


class AuthorRow(Model):
    paper = IntegerField()
    position = IntegerField()
    name = TextField()

    class Meta:
        table_name = "paper_author"
        primary_key = CompositeKey("paper", "position")


class TagRow(Model):
    id = IntegerField(primary_key=True)
    name = TextField()
    name_key = TextField(unique=True)
    color = TextField(null=True)
    created = TextField()
    favourite = IntegerField(null=True)  # 1–9: the key that toggles it; None if not one

    class Meta:
        table_name = "tag"


class PaperTagRow(Model):
    paper = IntegerField()
    tag = IntegerField()
    added = TextField()

    class Meta:
        table_name = "paper_tag"
        primary_key = CompositeKey("paper", "tag")


class StateRow(Model):
    paper = IntegerField(primary_key=True)
    read = IntegerField(default=0)
    starred = IntegerField(default=0)
    saved = IntegerField(default=0)
    note = TextField(default="")
    changed = TextField()

    class Meta:
        table_name = "paper_state"


class DailyRow(Model):
    day = TextField()
    paper = IntegerField()
    rank = IntegerField()

    class Meta:
        table_name = "daily_appearance"
        primary_key = CompositeKey("day", "paper")


class MetaRow(Model):
    key = TextField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "meta"


ALL_MODELS: tuple[type[Model], ...] = (
    PaperRow,
    AuthorRow,
    TagRow,
    PaperTagRow,
    StateRow,
    DailyRow,
    MetaRow,
)


@dataclass(frozen=True)
class Models:
    """The model classes bound to one database."""

    Paper: type[PaperRow]
    Author: type[AuthorRow]
    Tag: type[TagRow]
    PaperTag: type[PaperTagRow]
    State: type[StateRow]
    Daily: type[DailyRow]
    Meta: type[MetaRow]


def bind_models(db: SqliteDatabase) -> Models:
    """Subclasses of the models above bound to ``db`` (the base classes stay unbound)."""
    bound = []
    for base in ALL_MODELS:
        meta = type("Meta", (), {"database": db, "table_name": base._meta.table_name})
        bound.append(type(base.__name__, (base,), {"Meta": meta, "__module__": __name__}))
    return Models(*bound)
