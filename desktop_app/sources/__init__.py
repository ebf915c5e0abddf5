"""Remote sources: Hugging Face Daily Papers, arXiv and DBLP, over one robust HTTP client.

Nothing here imports Qt. Build the clients of a thread with :func:`open_clients` (one
``requests.Session`` per thread) and close them in the same thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.config import Settings
from desktop_app.sources.arxiv import ArxivClient
from desktop_app.sources.dblp import DblpClient
from desktop_app.sources.hf import HfClient
from desktop_app.sources.http import HttpClient

__all__ = ["ArxivClient", "Clients", "DblpClient", "HfClient", "HttpClient", "open_clients"]


@dataclass
class Clients:
    """The clients one thread uses, sharing its HTTP session. A context manager."""

    http: HttpClient
    hf: HfClient
    arxiv: ArxivClient
    dblp: DblpClient

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_clients(settings: Settings, **http_options: Any) -> Clients:
    """Clients for the endpoints in ``settings`` (environment overrides applied)."""
    effective = settings.effective()
    http = HttpClient.from_settings(effective, **http_options)
    return Clients(
        http=http,
        hf=HfClient.from_settings(http, effective),
        arxiv=ArxivClient.from_settings(http, effective),
        dblp=DblpClient.from_settings(http, effective),
    )
