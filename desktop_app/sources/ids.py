"""Turn whatever a user pastes (an id, ``arXiv:…``, an arxiv.org or huggingface.co link) into
an arXiv id and optional version."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from desktop_app.domain import split_version
from desktop_app.errors import InvalidInputError

_ARXIV_HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org", "rss.arxiv.org"}
_HF_HOSTS = {"huggingface.co", "www.huggingface.co", "hf.co"}
# Path prefixes after which an arXiv id follows, per host family.
_ARXIV_PATHS: tuple[str, ...] = ("/abs/", "/pdf/", "/html/", "/format/")
_HF_PATHS: tuple[str, ...] = ("/papers/",)
_PREFIX_RE = re.compile(r"^arxiv\s*:\s*", re.IGNORECASE)
_HOST_ONLY_RE = re.compile(r"^(?:www\.)?(?:arxiv\.org|export\.arxiv\.org|huggingface\.co|hf\.co)/")


def _invalid(text: str) -> InvalidInputError:
    return InvalidInputError(
        f"{text!r} is not an arXiv id or a paper link.",
        hint="Use an id like 2403.12345, arXiv:2403.12345v2 or hep-th/9901001, "
        "or an arxiv.org or huggingface.co/papers link.",
    )


def _from_url(text: str) -> str | None:
    """The id part of an arxiv.org or huggingface.co paper URL, or ``None``."""
    if "://" not in text:
        if not _HOST_ONLY_RE.match(text.lower()):
            return None
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if host in _ARXIV_HOSTS:
        prefixes = _ARXIV_PATHS
    elif host in _HF_HOSTS:
        prefixes = _HF_PATHS
    else:
        return None
    path = unquote(parts.path)
    for prefix in prefixes:
        if path.startswith(prefix):
            rest = path[len(prefix) :].strip("/")
            return rest.removesuffix(".pdf")
    return None


def parse_paper_ref(text: str) -> tuple[str, int | None]:
    """``(arxiv_id, version or None)`` for a pasted id or link.

    Accepts ``2403.12345``, ``2403.12345v2``, ``arXiv:2403.12345``, ``hep-th/9901001``,
    ``https://arxiv.org/abs/…``, ``https://arxiv.org/pdf/….pdf`` (with or without version or
    ``.pdf``) and ``https://huggingface.co/papers/…``. Anything else is an
    :class:`InvalidInputError` that says what would work.
    """
    original = str(text)
    candidate = original.strip().strip("<>\"'").strip()
    candidate = _PREFIX_RE.sub("", candidate)
    from_url = _from_url(candidate)
    if from_url is not None:
        candidate = from_url
    try:
        return split_version(candidate)
    except ValueError:
        raise _invalid(original.strip()) from None
