"""Text from the network or a file, made safe to store and to print.

Control characters have no business in a title, a name or a tag, and in a terminal they are
commands: ESC starts sequences that move the cursor, set the window title or (OSC 52) write
the clipboard; BEL rings; a carriage return overwrites the line; bidi overrides (U+202E)
reorder what is shown so ``txt.exe`` reads as ``exe.txt``. They are removed when text enters
the library (:func:`clean_text`), and everything the command line prints passes
:func:`for_terminal` (or :class:`SafeStream`) as well, so a library written by an older version
cannot inject them either. Lone surrogates (what Python makes of bytes that are not UTF-8)
become U+FFFD, so they can be stored and encoded.
"""

from __future__ import annotations

import json
import re
from typing import Any, TextIO
from urllib.parse import urlsplit

# C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings, overrides and
# isolates. Invisible format characters that only hide text (zero-width space and joiners,
# word joiner, BOM) are removed from single-line text too.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_INVISIBLE = "\u200b-\u200d\u2060\ufeff"
_MULTILINE_BAD = re.compile(f"[{_CONTROLS}{_BIDI}]")
_BREAKS = re.compile("[\t\n\r\v\f\x85\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_TERMINAL_BAD = re.compile(f"[{_CONTROLS}{_BIDI}]")  # keeps \t and \n
_STREAM_BAD = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")  # keeps \t \n \r
_JSON_ESCAPE = re.compile(f"[\x7f-\x9f{_BIDI}{_INVISIBLE}\u2028\u2029]")
INVISIBLE = re.compile(f"[{_INVISIBLE}]")
# Most text is clean: one search decides whether the substitutions are needed at all (the
# ingest of 100k papers runs through here several times per paper).
_ANY_BAD = re.compile(f"[{_CONTROLS}{_BIDI}{_INVISIBLE}\ud800-\udfff\r\x85\u2028\u2029]")


def is_clean(text: str) -> bool:
    """Whether ``text`` holds nothing :func:`clean_text` or :func:`single_line` would remove
    (line breaks and tabs aside). ``str.isprintable`` answers most text in C; what it cannot
    vouch for (a no-break space, a line break) is searched."""
    if text.isprintable():
        return True
    if "\n" in text and text.replace("\n", "").isprintable():
        return True
    return _ANY_BAD.search(text) is None


def fix_surrogates(text: str) -> str:
    """``text`` with lone surrogates (undecodable bytes) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def clean_text(text: str, *, multiline: bool = True) -> str:
    """``text`` without control characters, bidi overrides or lone surrogates.

    ``multiline`` keeps tabs and line breaks (an abstract, a note; ``\\r\\n`` becomes
    ``\\n``); otherwise tabs and line breaks become spaces (a title, a name). Other controls
    are removed.
    """
    if is_clean(text):
        return text if multiline else text.replace("\t", " ").replace("\n", " ")
    text = fix_surrogates(text)
    if multiline:
        return _MULTILINE_BAD.sub("", text.replace("\r\n", "\n"))
    return _MULTILINE_BAD.sub("", _BREAKS.sub(" ", text))


def single_line(text: str) -> str:
    """One line of visible text: :func:`clean_text` without line breaks, and without the
    invisible characters that could make two names look the same."""
    if is_clean(text):
        return text.replace("\t", " ").replace("\n", " ")
    return INVISIBLE.sub("", clean_text(text, multiline=False))


def for_terminal(value: object) -> str:
    """A value as printable terminal text: controls and bidi overrides removed (tabs and
    newlines kept)."""
    return _TERMINAL_BAD.sub("", fix_surrogates(str(value)))


def dumps_json(data: Any) -> str:
    """JSON for a terminal or a pipe: UTF-8 text, but C1 controls, bidi and invisible
    characters escaped (``\\u202e``), so the data is intact and nothing acts on a terminal.
    (JSON itself escapes C0 controls.)"""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _JSON_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", fix_surrogates(text))


class SafeStream:
    """A text stream that drops control characters (but tab, newline and carriage return)
    and bidi overrides from everything written to it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(_STREAM_BAD.sub("", fix_surrogates(text)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def is_http_url(url: str | None) -> bool:
    """An absolute http(s) URL with a host: the only addresses the app opens, links or
    fetches on the strength of text from the network (never ``file:``, ``javascript:``,
    ``data:``…)."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
