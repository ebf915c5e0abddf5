"""peewee models mirroring the schema that :mod:`migrations` creates: the one place that names
the library's tables and columns.

The schema itself is owned by the migrations (SQL that never changes once released); these
models describe it for queries, and every list of columns elsewhere in the store is derived
from them (:data:`PAPER_COLUMNS`). ``tests/test_store.py`` checks that models and migrations
agree.

Models are built per database by :func:`bind_models`, so two libraries can be open in one
process (tests, benchmarks, the migration backup) without rebinding global classes.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import (
    CompositeKey,
    ForeignKeyField,
    IntegerField,
    Model,
    SqliteDatabase,
    TextField,
)
from playhouse.sqlite_ext import FTS5Model, SearchField

FTS_TOKENIZER = "unicode61 remove_diacritics 2"


class PaperRow(Model):
    id = IntegerField(primary_key=True)
    paper_id = TextField(unique=True)
    title = TextField()
    abstract = TextField(default="")
    authors_text = TextField(default="")
    published = TextField(default="")
    updated = TextField(null=True)
    upvotes = IntegerField(null=True)  # Hugging Face's count; NULL: unknown (not on HF)
    comments = IntegerField(null=True)
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
    source_rank = IntegerField(default=2)  # domain.SOURCE_RANKS of who wrote its metadata
    entry_type = TextField(null=True)  # set when the paper holds an entry from a file
    venue = TextField(null=True)  # shown: the entry's journal, book, school… (decoded)
    volume = TextField(null=True)
    number = TextField(null=True)
    pages = TextField(null=True)

    class Meta:
        table_name = "paper"


class AuthorRow(Model):
    paper = ForeignKeyField(PaperRow, column_name="paper", on_delete="CASCADE")
    position = IntegerField()
    name = TextField()
    # BibTeX's name parts (decoded) when the name came from a bibliography; else NULL.
    given = TextField(null=True)
    family = TextField(null=True)
    von = TextField(null=True)
    jr = TextField(null=True)
    literal = TextField(null=True)  # a name kept whole: an organisation, or "others"

    class Meta:
        table_name = "paper_author"
        primary_key = CompositeKey("paper", "position")


class FieldRow(Model):
    """A field of a paper's entry as it came (LaTeX source), in the entry's order."""

    paper = ForeignKeyField(PaperRow, column_name="paper", on_delete="CASCADE")
    position = IntegerField()
    name = TextField()
    value = TextField()

    class Meta:
        table_name = "paper_field"
        primary_key = CompositeKey("paper", "position")


class AliasRow(Model):
    """The key of an entry merged into a paper (old citations still resolve)."""

    key = TextField(primary_key=True)
    paper = ForeignKeyField(PaperRow, column_name="paper", on_delete="CASCADE")

    class Meta:
        table_name = "paper_alias"


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
    paper = ForeignKeyField(PaperRow, column_name="paper", on_delete="CASCADE")
    tag = ForeignKeyField(TagRow, column_name="tag", on_delete="CASCADE")
    added = TextField()

    class Meta:
        table_name = "paper_tag"
        primary_key = CompositeKey("paper", "tag")


class StateRow(Model):
    paper = ForeignKeyField(PaperRow, column_name="paper", primary_key=True, on_delete="CASCADE")
    read = IntegerField(default=0)
    starred = IntegerField(default=0)
    saved = IntegerField(default=0)
    note = TextField(default="")
    changed = TextField()

    class Meta:
        table_name = "paper_state"


class DailyRow(Model):
    day = TextField()
    paper = ForeignKeyField(PaperRow, column_name="paper", on_delete="CASCADE")
    rank = IntegerField()

    class Meta:
        table_name = "daily_appearance"
        primary_key = CompositeKey("day", "paper")


class PublishedRow(Model):
    """A preprint's published version, as last looked up (record None: none found)."""

    paper = ForeignKeyField(PaperRow, column_name="paper", primary_key=True, on_delete="CASCADE")
    checked = TextField()
    record = TextField(null=True)  # where it was found (DBLP's key)
    entry_type = TextField(null=True)
    fields = TextField(null=True)  # JSON [[name, LaTeX value], …]

    class Meta:
        table_name = "published"


class AutoExportRow(Model):
    """A file kept up to date with a tag, a search or the library."""

    id = IntegerField(primary_key=True)
    path = TextField(unique=True)
    tag = TextField(null=True)
    query = TextField(default="")
    format = TextField(default="bibtex")
    created = TextField()
    written = TextField(null=True)  # when the file was last rewritten
    entries = IntegerField(null=True)  # how many entries it then held
    error = TextField(null=True)  # why the last attempt failed, if it did

    class Meta:
        table_name = "autoexport"


class SavedSearchRow(Model):
    """A query saved by name (a smart view); ``spec`` is its JSON (domain.SavedSearch)."""

    id = IntegerField(primary_key=True)
    name = TextField()
    name_key = TextField(unique=True)
    spec = TextField()
    created = TextField()

    class Meta:
        table_name = "saved_search"


class FollowRow(Model):
    """A followed item: a saved search, a tag (by id: renames keep it), an author or an
    organization (by ``name``). ``target_key`` says which, once; ``checked`` is when papers
    new to it were last looked for."""

    id = IntegerField(primary_key=True)
    kind = TextField()
    search = ForeignKeyField(SavedSearchRow, column_name="search", null=True, on_delete="CASCADE")
    tag = ForeignKeyField(TagRow, column_name="tag", null=True, on_delete="CASCADE")
    name = TextField(null=True)
    target_key = TextField(unique=True)
    created = TextField()
    checked = TextField()

    class Meta:
        table_name = "follow"


class FollowNewsRow(Model):
    """A paper found new to a followed item: when, when the user was told, when they looked."""

    follow = ForeignKeyField(FollowRow, column_name="follow", on_delete="CASCADE")
    paper_id = TextField()
    found = TextField()
    notified = TextField(null=True)
    seen = TextField(null=True)

    class Meta:
        table_name = "follow_news"
        primary_key = CompositeKey("follow", "paper_id")
        without_rowid = True


class DigestSentRow(Model):
    """A paper a digest mailed to an address (a paper is never mailed there twice)."""

    address = TextField()
    paper_id = TextField()
    sent = TextField()

    class Meta:
        table_name = "digest_sent"
        primary_key = CompositeKey("address", "paper_id")
        without_rowid = True


class NotInterestedRow(Model):
    """A paper the user is not interested in (hidden from For you; a negative to learn from)."""

    paper = ForeignKeyField(PaperRow, column_name="paper", primary_key=True, on_delete="CASCADE")
    marked = TextField()

    class Meta:
        table_name = "not_interested"


class PdfFileRow(Model):
    """The cached PDF of a paper: one file per paper (and arXiv version, NULL when unknown),
    named relative to the cache folder; how its text extraction went (``text_state``)."""

    paper = ForeignKeyField(PaperRow, column_name="paper", primary_key=True, on_delete="CASCADE")
    version = IntegerField(null=True)
    file = TextField()
    size = IntegerField()
    sha256 = TextField()
    downloaded = TextField()
    last_read = TextField()
    last_page = IntegerField(default=0)
    text_state = TextField(default="pending")  # pending|indexed|no_text|failed|encrypted
    pages = IntegerField(null=True)

    class Meta:
        table_name = "pdf_file"


class PdfTextRow(Model):
    """The text of one page of a cached PDF (indexed by ``pdf_text_fts``)."""

    id = IntegerField(primary_key=True)
    paper = ForeignKeyField(
        PdfFileRow, field=PdfFileRow.paper, column_name="paper", on_delete="CASCADE"
    )
    page = IntegerField()
    text = TextField()

    class Meta:
        table_name = "pdf_text"


class MetaRow(Model):
    key = TextField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "meta"


class PaperFTS(FTS5Model):  # type: ignore[misc]  # playhouse has no type information
    """The full-text index over the paper table (external content, kept by triggers)."""

    title = SearchField()
    abstract = SearchField()
    authors_text = SearchField()

    class Meta:
        table_name = "paper_fts"
        options = {  # noqa: RUF012 (peewee reads it from Meta)
            "content": "paper",
            "content_rowid": "id",
            "tokenize": FTS_TOKENIZER,
        }


ALL_MODELS: tuple[type[Model], ...] = (
    PaperRow,
    AuthorRow,
    FieldRow,
    AliasRow,
    TagRow,
    PaperTagRow,
    StateRow,
    DailyRow,
    MetaRow,
    AutoExportRow,
    PublishedRow,
    SavedSearchRow,
    FollowRow,
    FollowNewsRow,
    DigestSentRow,
    NotInterestedRow,
    PdfFileRow,
    PdfTextRow,
)

# Every column of the paper table, in the table's order.
PAPER_COLUMNS: tuple[str, ...] = tuple(f.column_name for f in PaperRow._meta.sorted_fields)
# The columns indexed by FTS5, in the index's order.
FTS_COLUMNS: tuple[str, ...] = tuple(
    f.column_name for f in PaperFTS._meta.sorted_fields if f.column_name != "rowid"
)


@dataclass(frozen=True)
class Models:
    """The model classes bound to one database."""

    Paper: type[PaperRow]
    Author: type[AuthorRow]
    Field: type[FieldRow]
    Alias: type[AliasRow]
    Tag: type[TagRow]
    PaperTag: type[PaperTagRow]
    State: type[StateRow]
    Daily: type[DailyRow]
    Meta: type[MetaRow]
    AutoExport: type[AutoExportRow]
    Published: type[PublishedRow]
    SavedSearch: type[SavedSearchRow]
    Follow: type[FollowRow]
    FollowNews: type[FollowNewsRow]
    DigestSent: type[DigestSentRow]
    NotInterested: type[NotInterestedRow]
    PdfFile: type[PdfFileRow]
    PdfText: type[PdfTextRow]
    FTS: type[PaperFTS]


def bind_models(db: SqliteDatabase) -> Models:
    """Subclasses of the models above bound to ``db`` (the base classes stay unbound)."""
    bound = []
    bases: tuple[type[Model], ...] = (*ALL_MODELS, PaperFTS)
    for base in bases:
        attrs: dict[str, object] = {"database": db, "table_name": base._meta.table_name}
        if base is PaperFTS:
            attrs["options"] = PaperFTS._meta.options
        meta = type("Meta", (), attrs)
        bound.append(type(base.__name__, (base,), {"Meta": meta, "__module__": __name__}))
    return Models(*bound)
