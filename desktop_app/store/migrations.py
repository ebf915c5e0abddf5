"""Ordered schema migrations, tracked with ``PRAGMA user_version``.

Each step is a list of SQL statements run in one transaction together with the version bump.
Steps are never edited once released: a change to the schema is a new step at the end.
"""

from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    # 1: the first schema
    [
        """CREATE TABLE paper (
            id INTEGER PRIMARY KEY,
            paper_id TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            abstract TEXT NOT NULL DEFAULT '',
            authors_text TEXT NOT NULL DEFAULT '',
            published TEXT NOT NULL DEFAULT '',
            updated TEXT,
            upvotes INTEGER NOT NULL DEFAULT 0,
            comments INTEGER NOT NULL DEFAULT 0,
            organization TEXT,
            github_repo TEXT,
            github_stars INTEGER,
            project_page TEXT,
            thumbnail TEXT,
            ai_summary TEXT,
            ai_keywords TEXT,
            categories TEXT,
            primary_category TEXT,
            doi TEXT,
            journal_ref TEXT,
            arxiv_comment TEXT,
            version INTEGER,
            first_seen TEXT NOT NULL,
            last_fetched TEXT NOT NULL
        )""",
        "CREATE INDEX paper_published ON paper (published DESC, id DESC)",
        "CREATE INDEX paper_upvotes ON paper (upvotes DESC, id DESC)",
        """CREATE TABLE paper_author (
            paper INTEGER NOT NULL REFERENCES paper (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            PRIMARY KEY (paper, position)
        ) WITHOUT ROWID""",
        """CREATE TABLE tag (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            color TEXT,
            created TEXT NOT NULL
        )""",
        """CREATE TABLE paper_tag (
            paper INTEGER NOT NULL REFERENCES paper (id) ON DELETE CASCADE,
            tag INTEGER NOT NULL REFERENCES tag (id) ON DELETE CASCADE,
            added TEXT NOT NULL,
            PRIMARY KEY (paper, tag)
        ) WITHOUT ROWID""",
        "CREATE INDEX paper_tag_tag ON paper_tag (tag, paper)",
        """CREATE TABLE paper_state (
            paper INTEGER PRIMARY KEY REFERENCES paper (id) ON DELETE CASCADE,
            read INTEGER NOT NULL DEFAULT 0,
            starred INTEGER NOT NULL DEFAULT 0,
            saved INTEGER NOT NULL DEFAULT 0,
            note TEXT NOT NULL DEFAULT '',
            changed TEXT NOT NULL
        )""",
        """CREATE TABLE daily_appearance (
            day TEXT NOT NULL,
            paper INTEGER NOT NULL REFERENCES paper (id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            PRIMARY KEY (day, paper)
        ) WITHOUT ROWID""",
        "CREATE INDEX daily_appearance_paper ON daily_appearance (paper, day)",
        # External-content FTS5 over paper; triggers keep it in the same transaction as the row.
        """CREATE VIRTUAL TABLE paper_fts USING fts5 (
            title, abstract, authors_text,
            content='paper', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER paper_fts_ai AFTER INSERT ON paper BEGIN
            INSERT INTO paper_fts (rowid, title, abstract, authors_text)
            VALUES (new.id, new.title, new.abstract, new.authors_text);
        END""",
        """CREATE TRIGGER paper_fts_ad AFTER DELETE ON paper BEGIN
            INSERT INTO paper_fts (paper_fts, rowid, title, abstract, authors_text)
            VALUES ('delete', old.id, old.title, old.abstract, old.authors_text);
        END""",
        """CREATE TRIGGER paper_fts_au AFTER UPDATE OF title, abstract, authors_text ON paper BEGIN
            INSERT INTO paper_fts (paper_fts, rowid, title, abstract, authors_text)
            VALUES ('delete', old.id, old.title, old.abstract, old.authors_text);
            INSERT INTO paper_fts (rowid, title, abstract, authors_text)
            VALUES (new.id, new.title, new.abstract, new.authors_text);
        END""",
    ],
    # 2: Hugging Face linked-repository counts, a year for papers without a full date
    # (BibTeX imports), the stable citation key assigned on first export, and a key-value
    # table for bookkeeping such as the time of the last fetch.
    [
        "ALTER TABLE paper ADD COLUMN num_models INTEGER",
        "ALTER TABLE paper ADD COLUMN num_datasets INTEGER",
        "ALTER TABLE paper ADD COLUMN num_spaces INTEGER",
        "ALTER TABLE paper ADD COLUMN year INTEGER",
        "ALTER TABLE paper ADD COLUMN cite_key TEXT",
        "CREATE UNIQUE INDEX paper_cite_key ON paper (cite_key) WHERE cite_key IS NOT NULL",
        "CREATE INDEX paper_doi ON paper (lower(doi)) WHERE doi IS NOT NULL",
        # state lookups for the smart views
        "CREATE INDEX paper_state_flags ON paper_state (saved, starred, read)",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ],
    # 3: FTS5 merges segments 16 at a time instead of 4. Ingest does ~15% less merge work
    # (bench/bench_store.py: raw 100k ingest 5,000/s -> 5,800/s) and search over 100k papers
    # is as fast as before: its cost is scoring the matches, not the extra segments. The
    # setting is stored in paper_fts_config, so it holds for every connection and program.
    # And meta.key becomes NOT NULL: SQLite lets a TEXT PRIMARY KEY hold NULLs. Favourite
    # tags (keys 1–9) move into the library, so they follow it and survive renames made
    # from the command line.
    [
        "ALTER TABLE tag ADD COLUMN favourite INTEGER",
        "CREATE UNIQUE INDEX tag_favourite ON tag (favourite) WHERE favourite IS NOT NULL",
        "INSERT INTO paper_fts (paper_fts, rank) VALUES ('automerge', 16)",
        "CREATE TABLE meta_new (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
        "INSERT INTO meta_new (key, value) SELECT key, value FROM meta WHERE key IS NOT NULL",
        "DROP TABLE meta",
        "ALTER TABLE meta_new RENAME TO meta",
    ],
]

# 4: which source wrote a paper's bibliographic fields (domain.SOURCE_RANKS), so that a lower
# one (an arXiv RSS listing, a .bib file) only fills gaps instead of flipping them. Papers
# stored before count as Hugging Face's.
MIGRATIONS.append(["ALTER TABLE paper ADD COLUMN source_rank INTEGER NOT NULL DEFAULT 2"])

# 5: papers that hold real bibliographies. An entry imported from a file keeps its type and
# every field as it came (LaTeX source, in order), so it exports as it came; the venue,
# volume, number and pages it names are shown; authors keep BibTeX's name parts (or one
# literal name, an organisation); and the keys of entries merged into a paper stay its
# aliases, so citations to them still resolve (exported as biblatex's ``ids``).
MIGRATIONS.append(
    [
        "ALTER TABLE paper ADD COLUMN entry_type TEXT",
        "ALTER TABLE paper ADD COLUMN venue TEXT",
        "ALTER TABLE paper ADD COLUMN volume TEXT",
        "ALTER TABLE paper ADD COLUMN number TEXT",
        "ALTER TABLE paper ADD COLUMN pages TEXT",
        "ALTER TABLE paper_author ADD COLUMN given TEXT",
        "ALTER TABLE paper_author ADD COLUMN family TEXT",
        "ALTER TABLE paper_author ADD COLUMN von TEXT",
        "ALTER TABLE paper_author ADD COLUMN jr TEXT",
        "ALTER TABLE paper_author ADD COLUMN literal TEXT",
        """CREATE TABLE paper_field (
            paper INTEGER NOT NULL REFERENCES paper (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (paper, position)
        ) WITHOUT ROWID""",
        """CREATE TABLE paper_alias (
            key TEXT NOT NULL PRIMARY KEY,
            paper INTEGER NOT NULL REFERENCES paper (id) ON DELETE CASCADE
        )""",
        "CREATE INDEX paper_alias_paper ON paper_alias (paper)",
    ]
)

# 6: files kept up to date with a tag, a search or the whole library (auto-export), each
# with what was last written and, if the last attempt failed, why.
MIGRATIONS.append(
    [
        """CREATE TABLE autoexport (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            tag TEXT,
            query TEXT NOT NULL DEFAULT '',
            format TEXT NOT NULL DEFAULT 'bibtex',
            created TEXT NOT NULL,
            written TEXT,
            entries INTEGER,
            error TEXT
        )""",
    ]
)

# 7: published versions of preprints (looked up on DBLP): when a paper was last checked,
# and what was found — the record's key and its type and venue fields, as BibTeX.
MIGRATIONS.append(
    [
        """CREATE TABLE published (
            paper INTEGER PRIMARY KEY REFERENCES paper (id) ON DELETE CASCADE,
            checked TEXT NOT NULL,
            record TEXT,
            entry_type TEXT,
            fields TEXT
        )""",
    ]
)

# 8: papers known only by their year (imported entries) are dated by it, so the newest-first
# order places them among the others ("2015" sorts with 2015's full dates).
MIGRATIONS.append(
    ["UPDATE paper SET published = CAST(year AS TEXT) WHERE published = '' AND year IS NOT NULL"]
)

# 9: following topics. Saved searches (a query by name); followed items (a saved search, a
# tag, an author or an organization); the papers found new to each (by arXiv id, so a paper
# deleted and fetched again is not news twice), when the user was told and when they looked;
# and which papers a digest mailed to which address (never twice).
MIGRATIONS.append(
    [
        """CREATE TABLE saved_search (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            spec TEXT NOT NULL,
            created TEXT NOT NULL
        )""",
        """CREATE TABLE follow (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            search INTEGER REFERENCES saved_search (id) ON DELETE CASCADE,
            tag INTEGER REFERENCES tag (id) ON DELETE CASCADE,
            name TEXT,
            target_key TEXT NOT NULL UNIQUE,
            created TEXT NOT NULL,
            checked TEXT NOT NULL
        )""",
        """CREATE TABLE follow_news (
            follow INTEGER NOT NULL REFERENCES follow (id) ON DELETE CASCADE,
            paper_id TEXT NOT NULL,
            found TEXT NOT NULL,
            notified TEXT,
            seen TEXT,
            PRIMARY KEY (follow, paper_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX follow_news_unseen ON follow_news (seen, follow)",
        """CREATE TABLE digest_sent (
            address TEXT NOT NULL,
            paper_id TEXT NOT NULL,
            sent TEXT NOT NULL,
            PRIMARY KEY (address, paper_id)
        ) WITHOUT ROWID""",
    ]
)

# 10: papers the user said they are not interested in (hidden from the For-you ranking, and
# negatives for the interest model); a paper deleted takes its mark with it.
MIGRATIONS.append(
    [
        """CREATE TABLE not_interested (
            paper INTEGER PRIMARY KEY REFERENCES paper (id) ON DELETE CASCADE,
            marked TEXT NOT NULL
        )""",
    ]
)

# 11: the PDF cache and its full-text index. ``pdf_file`` records the one cached PDF of a paper
# (which arXiv version, the file's name inside the cache folder, size, checksum, when it came
# and was last read, the page the reader was on, and how its text extraction went);
# ``pdf_text`` holds the text of each page and ``pdf_text_fts`` indexes it (external content,
# kept by triggers like ``paper_fts``). Deleting a paper deletes its file record, and deleting
# (evicting) a file record deletes its text: foreign keys cascade, the triggers follow. A page's
# row id is ``paper << 16 | page`` (store/pdfs.py), so a match names its paper and page.
MIGRATIONS.append(
    [
        """CREATE TABLE pdf_file (
            paper INTEGER PRIMARY KEY REFERENCES paper (id) ON DELETE CASCADE,
            version INTEGER,
            file TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            downloaded TEXT NOT NULL,
            last_read TEXT NOT NULL,
            last_page INTEGER NOT NULL DEFAULT 0,
            text_state TEXT NOT NULL DEFAULT 'pending' CHECK (text_state IN
                ('pending', 'indexed', 'no_text', 'failed', 'encrypted')),
            pages INTEGER
        )""",
        "CREATE INDEX pdf_file_last_read ON pdf_file (last_read)",
        "CREATE INDEX pdf_file_pending ON pdf_file (text_state) WHERE text_state = 'pending'",
        """CREATE TABLE pdf_text (
            id INTEGER PRIMARY KEY,
            paper INTEGER NOT NULL REFERENCES pdf_file (paper) ON DELETE CASCADE,
            page INTEGER NOT NULL,
            text TEXT NOT NULL
        )""",
        "CREATE UNIQUE INDEX pdf_text_page ON pdf_text (paper, page)",
        """CREATE VIRTUAL TABLE pdf_text_fts USING fts5 (
            text, content='pdf_text', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        )""",
        # Unlike paper_fts, merge eagerly (2 segments at a time): text comes in one paper at
        # a time, at the extractor's pace, and a search that finds its snippets' pages by
        # row id seeks in every segment.
        "INSERT INTO pdf_text_fts (pdf_text_fts, rank) VALUES ('automerge', 2)",
        """CREATE TRIGGER pdf_text_fts_ai AFTER INSERT ON pdf_text BEGIN
            INSERT INTO pdf_text_fts (rowid, text) VALUES (new.id, new.text);
        END""",
        """CREATE TRIGGER pdf_text_fts_ad AFTER DELETE ON pdf_text BEGIN
            INSERT INTO pdf_text_fts (pdf_text_fts, rowid, text)
            VALUES ('delete', old.id, old.text);
        END""",
        """CREATE TRIGGER pdf_text_fts_au AFTER UPDATE OF text ON pdf_text BEGIN
            INSERT INTO pdf_text_fts (pdf_text_fts, rowid, text)
            VALUES ('delete', old.id, old.text);
            INSERT INTO pdf_text_fts (rowid, text) VALUES (new.id, new.text);
        END""",
    ]
)

# 12: Hugging Face's upvote and comment counts may be unknown: NULL, not 0, for a paper known only
# from arXiv or a bibliography. SQLite cannot drop NOT NULL with ALTER TABLE, and rebuilding
# ``paper`` would cascade-delete every row that references it (foreign keys are on during
# migrations), so the column definitions are edited in place — SQLite's own procedure for removing
# a NOT NULL constraint ("ALTER TABLE: making other kinds of table schema changes"); ``RESET``
# reloads the schema on this connection and the index rebuilt after it bumps the schema cookie for
# every other one. The upvote index sorts unknown below 0 (keyset paging cannot compare NULLs).
# Papers stored before whose counts nothing says came from Hugging Face (0 and 0, no daily list,
# none of the fields only Hugging Face gives) get unknown counts; a refetch from Hugging Face sets
# the real ones.
MIGRATIONS.append(
    [
        "PRAGMA writable_schema = ON",
        "UPDATE sqlite_master SET sql = replace(replace(sql, "
        "'upvotes INTEGER NOT NULL DEFAULT 0', 'upvotes INTEGER'), "
        "'comments INTEGER NOT NULL DEFAULT 0', 'comments INTEGER') "
        "WHERE type = 'table' AND name = 'paper'",
        "PRAGMA writable_schema = RESET",
        "DROP INDEX paper_upvotes",
        "CREATE INDEX paper_upvotes ON paper (coalesce(upvotes, -1) DESC, id DESC)",
        """UPDATE paper SET upvotes = NULL, comments = NULL
        WHERE upvotes = 0 AND comments = 0 AND thumbnail IS NULL AND organization IS NULL
        AND ai_summary IS NULL AND github_repo IS NULL AND project_page IS NULL
        AND num_models IS NULL AND num_datasets IS NULL AND num_spaces IS NULL
        AND NOT EXISTS (SELECT 1 FROM daily_appearance d WHERE d.paper = paper.id)""",
    ]
)

LATEST_VERSION = len(MIGRATIONS)
