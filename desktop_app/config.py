"""Where data lives and which endpoints to talk to.

Precedence for the data directory: ``--data-dir`` > ``DAILY_PAPERS_HOME`` > platformdirs.
Precedence for endpoints: environment (``HF_ENDPOINT``, ``DAILY_PAPERS_ARXIV_URL``,
``DAILY_PAPERS_DBLP_URL``, ``DAILY_PAPERS_PDF_URL``, and for the digest's mail server
``DAILY_PAPERS_SMTP_URL``) > ``settings.json`` in the data directory > the public defaults.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, fields, replace
from datetime import time
from pathlib import Path
from typing import Any

import platformdirs

from desktop_app import APP_SLUG
from desktop_app.errors import AppError

DEFAULT_HF_ENDPOINT = "https://huggingface.co"
DEFAULT_ARXIV_URL = "https://export.arxiv.org"
DEFAULT_DBLP_URL = "https://dblp.org"
DEFAULT_PDF_URL = "https://arxiv.org"
DB_FILENAME = "library.sqlite3"
SETTINGS_FILENAME = "settings.json"


def default_data_dir() -> Path:
    """The platform's data directory for the application (platformdirs), not created."""
    return Path(platformdirs.user_data_dir(APP_SLUG, appauthor=False))


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data directory, created if missing."""
    if override:
        path = Path(override).expanduser()
    elif os.environ.get("DAILY_PAPERS_HOME"):
        path = Path(os.environ["DAILY_PAPERS_HOME"]).expanduser()
    else:
        path = default_data_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AppError(
            f"Cannot create the data directory {path}: {exc.strerror}.",
            hint="Choose another one with --data-dir or DAILY_PAPERS_HOME.",
        ) from exc
    return path


def db_path(directory: Path) -> Path:
    return directory / DB_FILENAME


@dataclass(frozen=True)
class Settings:
    """Preferences shared by the window and the CLI (stored as JSON in the data directory)."""

    hf_endpoint: str = DEFAULT_HF_ENDPOINT
    arxiv_url: str = DEFAULT_ARXIV_URL
    dblp_url: str = DEFAULT_DBLP_URL  # where published versions are looked up
    refresh_on_start: bool = True
    refresh_interval_min: int = 60
    mark_read_after_ms: int = 1500  # 0 = never mark read on selection
    theme: str = "system"  # system | light | dark
    request_timeout_s: float = 20.0
    fetch_budget_s: float = 300.0  # one fetch in all (a command, a window job), retries included
    cite_key_pattern: str = "{author}{year}{word}"
    backup_every_days: int = 7  # an automatic copy of the library when the window opens; 0 = never
    show_thumbnails: bool = True  # the feed's cards show (and fetch) each paper's thumbnail
    # The digest (``daily-papers digest --send``): the mail server (library/mailer.py), the
    # address it goes to unless --to says otherwise, and when the window sends it ("HH:MM",
    # "" for never).
    smtp_url: str = ""
    digest_to: str = ""
    digest_time: str = ""
    keep_in_tray: bool = False  # closing the window hides it in the system tray (if there is one)
    # The first start asked whether to add the launcher to the application menu (answered:
    # never asked again; ``daily-papers desktop-entry install`` adds it any time).
    desktop_entry_offered: bool = False
    # The PDF cache (library/pdfs.py): where PDFs come from (``<pdf_url>/pdf/<id>vN``), how
    # much disk it may take before the least recently read PDFs of papers not kept go, and
    # whether the PDFs of starred, saved and tagged papers are downloaded in the background.
    pdf_url: str = DEFAULT_PDF_URL
    pdf_quota_mb: int = 2048
    pdf_prefetch: bool = False

    def effective(self) -> Settings:
        """These settings with the environment's endpoint overrides applied."""
        hf = os.environ.get("HF_ENDPOINT") or self.hf_endpoint
        ax = os.environ.get("DAILY_PAPERS_ARXIV_URL") or self.arxiv_url
        dblp = os.environ.get("DAILY_PAPERS_DBLP_URL") or self.dblp_url
        smtp = os.environ.get("DAILY_PAPERS_SMTP_URL") or self.smtp_url
        pdf = os.environ.get("DAILY_PAPERS_PDF_URL") or self.pdf_url
        return replace(
            self,
            hf_endpoint=hf.rstrip("/"),
            arxiv_url=ax.rstrip("/"),
            dblp_url=dblp.rstrip("/"),
            smtp_url=smtp.strip(),
            pdf_url=pdf.rstrip("/"),
        )

    @property
    def pdf_quota_bytes(self) -> int:
        """The PDF cache's quota in bytes (at least 0)."""
        return max(0, self.pdf_quota_mb) * 1024 * 1024

    @property
    def digest_at(self) -> time | None:
        """``digest_time`` as a time of day; None when it is empty or not ``HH:MM``."""
        m = _HH_MM.match(self.digest_time.strip())
        if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            return None
        return time(int(m.group(1)), int(m.group(2)))


_HH_MM = re.compile(r"^([0-9]{1,2}):([0-9]{2})$", re.ASCII)


def load_settings(directory: Path) -> Settings:
    """Read ``settings.json``; unknown keys are ignored and a broken file falls back to defaults."""
    path = directory / SETTINGS_FILENAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(raw, dict):
        return Settings()
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        f = known.get(key)
        default = getattr(Settings, key, None) if f else None
        if f and isinstance(value, type(default)):
            values[key] = value
    return Settings(**values)


def save_settings(directory: Path, settings: Settings) -> None:
    """Write ``settings.json`` atomically."""
    path = directory / SETTINGS_FILENAME
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
