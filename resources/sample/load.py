"""Loading the sample library (``papers.json`` beside this file) into a library: for demos,
screenshots (``resources/screenshots/render.py``) and driving the window by hand::

    python resources/sample/load.py DATA_DIR
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from desktop_app.domain import DailyAppearance, PaperRecord
from desktop_app.store import Repository

SAMPLE = Path(__file__).resolve().parent / "papers.json"


THUMBNAIL = "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{id}.png"


def load_sample(repo: Repository, path: Path = SAMPLE) -> int:
    """Store the sample papers with their daily ranks, tags and read/starred state."""
    data = json.loads(path.read_text(encoding="utf-8"))
    records = []
    for p in data["papers"]:
        records.append(
            PaperRecord(
                id=p["id"],
                title=p["title"],
                abstract=p["abstract"],
                authors=tuple(p["authors"]),
                published=date.fromisoformat(p["published"]),
                upvotes=p["upvotes"],
                comments=p["comments"],
                organization=p.get("organization"),
                github_repo=p.get("github_repo"),
                github_stars=p.get("github_stars"),
                project_page=p.get("project_page"),
                ai_summary=p.get("ai_summary"),
                ai_keywords=tuple(p["ai_keywords"]) if p.get("ai_keywords") else None,
                categories=tuple(p.get("categories") or ()),
                primary_category=p.get("primary_category"),
                # Where Hugging Face keeps a paper's picture (offline here: the screenshot
                # script draws stand-ins into the cache; the app shows a placeholder box).
                thumbnail=THUMBNAIL.format(id=p["id"]),
                source="hf",
            )
        )
    appearances = [
        DailyAppearance(pid, date.fromisoformat(day["day"]), rank)
        for day in data["days"]
        for rank, pid in enumerate(day["ids"], start=1)
    ]
    repo.upsert_papers(records, appearances)
    for p in data["papers"]:
        if p.get("tags"):
            repo.tag_papers([p["id"]], p["tags"])
    repo.set_read([p["id"] for p in data["papers"] if p.get("read")])
    repo.set_starred([p["id"] for p in data["papers"] if p.get("starred")])
    return len(records)


if __name__ == "__main__":
    import sys

    from desktop_app.config import db_path

    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    library = Repository.open(db_path(target))
    try:
        print(f"{load_sample(library)} sample papers stored in {target}")
    finally:
        library.close()
