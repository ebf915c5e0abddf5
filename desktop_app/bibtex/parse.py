"""BibTeX and BibLaTeX files read the way BibTeX and biber read them, forgiving what they forgive.

:func:`parse_bibtex` turns the text of a ``.bib`` file into entries (type, key, fields as LaTeX
source with ``@string`` macros and ``#`` joins expanded) and a list of :class:`Problem` — one
per thing that was not clean BibTeX, saying where it was and what was done about it. Nothing
here refuses a file: a caller that wants strictness refuses when there are problems.

The grammar is BibTeX's own (``bibtex.web``), which pybtex's ``LowLevelParser`` also follows:

- Text outside entries is ignored, and so is a ``%`` comment there (a commented-out
  ``% @article{…}`` stays out, as JabRef and biber have it). Stray text that holds braces or
  an ``=`` (a damaged entry, a ``}`` too many) is skipped with a problem.
- ``@comment`` skips its braced body, ``@preamble`` is kept, ``@string`` defines a macro
  (names are case-insensitive; ``jan`` … ``dec`` are predefined as in BibTeX's styles).
- Field values are ``{…}`` (braces counted, a backslash escapes nothing: ``\\{`` opens a
  group, as in BibTeX), ``"…"`` (ends at a ``"`` outside braces), a number, or a macro name,
  joined by ``#``. ``%`` inside a value is text. Whitespace runs become one space, except that
  paragraph breaks in long-text fields (abstract, note, annotation) are kept.
- Field names are case-insensitive (kept as written: ``Author`` exports as ``Author``); a
  field given twice keeps its first value, as BibTeX does.

Recovered, each with a problem: a missing comma between fields, an entry without a key (the
importer makes one), an undefined macro (kept as its name), a duplicate field, a value whose
braces never close (left out; the entry ends where the next line starting ``@type{`` begins),
an entry that is not closed before the next one starts. :func:`decode_bytes` reads the bytes:
UTF-8 (with or without BOM), UTF-16 with or without BOM, JabRef's ``% Encoding:`` header, and
anything else by charset detection with a problem saying which encoding was assumed.

Speed matters (``bench/bench_bibtex.py``: a 10,000-entry import in ≤ 3.3 s): pybtex's scanner
reads ~7,500 entries/s, so this one works with a few compiled regular expressions and
``str.find``; ``tests/test_bibtex_parse.py`` checks it against pybtex on generated input.
"""

from __future__ import annotations

import bisect
import codecs
import re
from dataclasses import dataclass, field

# BibTeX's plain.bst month macros (biber knows them too).
MONTH_MACROS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}
# Fields whose paragraph breaks are kept (everything else is one line, as BibTeX makes it).
PARAGRAPH_FIELDS = frozenset({"abstract", "note", "annote", "annotation", "comment", "review"})

_OUTSIDE_RE = re.compile(r"%[^\n]*|@")
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_\-:.+]*")
_WS_RE = re.compile(r"(?:\s+|%[^\n]*(?=\n|$))+")  # whitespace and comment lines inside entries
_FIELD_NAME_RE = re.compile(r"[^\s=,{}()\"#%'~\\@]+")
_KEY_RE = {"}": re.compile(r"[^\s,}]*"), ")": re.compile(r"[^\s,)]*")}
_SIMPLE_BRACED_RE = re.compile(r"\{([^{}]*)\}")
_BRACE_RE = re.compile(r"[{}]")
_QUOTE_OR_BRACE_RE = re.compile(r'["{}]')
_NUMBER_RE = re.compile(r"[0-9]+")
_MACRO_RE = re.compile(r"[^\s=,{}()\"#%]+")
_SPACE_RE = re.compile(r"\s+")
_PARAGRAPH_RE = re.compile(r"[ \t\r\f\v]*\n(?:[ \t\r\f\v]*\n)+\s*")
# A line that starts an entry: where an unclosed entry or value is taken to end.
_ENTRY_START_RE = re.compile(r"\n[ \t]*@[ \t]*[A-Za-z][A-Za-z0-9_\-:.+]*[ \t\r\n]*[{(]")
_FIELD_AHEAD_RE = re.compile(r"([^\s=,{}()\"#%'~\\@]+)[ \t\r\n]*=")
_STRAY_RE = re.compile(r"[{}=]")


@dataclass(frozen=True)
class Problem:
    """Something that was not clean BibTeX: where, what, and what was done about it."""

    line: int  # 1-based
    message: str
    unit: str = "line"  # "item" in formats without lines (CSL-JSON)

    def __str__(self) -> str:
        return f"{self.unit} {self.line}: {self.message}"


@dataclass
class RawEntry:
    """One entry as the file has it: fields are LaTeX source, macros and ``#`` expanded."""

    type: str  # lower case: article, inproceedings, online…
    key: str  # as written; "" when the entry has none
    fields: list[tuple[str, str]]  # (name as written, value) in the file's order
    line: int  # 1-based line of the "@"
    unit: str = "line"  # what ``line`` counts: "item" for CSL-JSON

    def get(self, name: str) -> str | None:
        """The value of the field ``name`` (lower case; names are case-insensitive)."""
        for n, v in self.fields:
            if n.lower() == name:
                return v
        return None


@dataclass
class ParsedBib:
    entries: list[RawEntry] = field(default_factory=list)
    preambles: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _EntryEndsError(Exception):
    """The current entry stops here (its value or its closing brace never came)."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.pos = 0
        self.macros: dict[str, str] = dict(MONTH_MACROS)
        self.out = ParsedBib()
        self._newlines: list[int] | None = None
        self._in_preamble = False

    # -- positions

    def line(self, pos: int) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, pos) + 1

    def problem(self, pos: int, message: str) -> None:
        self.out.problems.append(Problem(self.line(pos), message))

    def skip_ws(self) -> None:
        m = _WS_RE.match(self.text, self.pos)
        if m:
            self.pos = m.end()

    def next_entry_start(self, pos: int) -> int:
        """Where the next line starting an entry begins (or the end of the text)."""
        m = _ENTRY_START_RE.search(self.text, pos)
        return m.start() + 1 if m else self.n

    # -- the file

    def run(self) -> ParsedBib:
        text = self.text
        stray_from = 0
        while True:
            m = _OUTSIDE_RE.search(text, self.pos)
            if m is None:
                self._stray(stray_from, self.n)
                break
            if m.group() != "@":
                self._stray(stray_from, m.start())
                self.pos = stray_from = m.end()
                continue
            at = m.start()
            self.pos = m.end()
            self.skip_ws()
            name = _NAME_RE.match(text, self.pos)
            if name is None:
                continue  # an "@" in prose
            self.pos = name.end()
            self.skip_ws()
            if self.pos >= self.n or text[self.pos] not in "{(":
                continue  # "me@example.com" in prose
            self._stray(stray_from, at)
            close = "}" if text[self.pos] == "{" else ")"
            self.pos += 1
            kind = name.group().lower()
            try:
                if kind == "comment":
                    self._skip_comment(close)
                elif kind == "preamble":
                    self._preamble(at, close)
                elif kind == "string":
                    self._string(at, close)
                else:
                    self._entry(at, kind, close)
            except _EntryEndsError:
                pass
            stray_from = self.pos
        return self.out

    def _stray(self, start: int, end: int) -> None:
        chunk = self.text[start:end]
        m = _STRAY_RE.search(chunk)
        if m is None:
            return
        shown = " ".join(chunk.split())
        if len(shown) > 40:
            shown = shown[:37] + "..."
        self.problem(start + m.start(), f"text outside any entry was skipped: {shown!r}")

    def _skip_comment(self, close: str) -> None:
        depth = 1
        for m in re.compile(r"[{}()]").finditer(self.text, self.pos):
            c = m.group()
            if (close == "}" and c in "{}") or (close == ")" and c in "()"):
                depth += 1 if c in "{(" else -1
                if depth == 0:
                    self.pos = m.end()
                    return
        # Unbalanced: BibTeX itself only skips the word "comment"; so do we.

    def _close(self, close: str, what: str, at: int) -> None:
        self.skip_ws()
        if self.pos < self.n and self.text[self.pos] == close:
            self.pos += 1
            return
        end = self.next_entry_start(self.pos)
        self.problem(at, f"{what} is not closed; it ends where the next entry begins")
        self.pos = end

    def _preamble(self, at: int, close: str) -> None:
        self.skip_ws()
        self._in_preamble = True  # an undefined macro is "" there, as in BibTeX
        try:
            value = self._value(at, "the @preamble", close)
        finally:
            self._in_preamble = False
        if value:
            self.out.preambles.append(value)
        self._close(close, "the @preamble", at)

    def _string(self, at: int, close: str) -> None:
        self.skip_ws()
        name = _FIELD_NAME_RE.match(self.text, self.pos)
        if name is None:
            self.problem(at, "an @string without a name was skipped")
            self.pos = self.next_entry_start(self.pos)
            return
        self.pos = name.end()
        self.skip_ws()
        if self.pos >= self.n or self.text[self.pos] != "=":
            self.problem(at, f"the @string {name.group()} has no value; skipped")
            self.pos = self.next_entry_start(self.pos)
            return
        self.pos += 1
        self.skip_ws()
        self.macros[name.group().lower()] = self._value(at, f"@string {name.group()}", close)
        self._close(close, f"the @string {name.group()}", at)

    # -- entries

    def _entry(self, at: int, kind: str, close: str) -> None:
        text = self.text
        self.skip_ws()
        key_start = self.pos
        key = _KEY_RE[close].match(text, self.pos).group()  # type: ignore[union-attr]
        self.pos += len(key)
        self.skip_ws()
        if key and self.pos < self.n and text[self.pos] == "=":
            # "@article{title = {…}": no key at all; what looked like one is a field name.
            self.pos, key = key_start, ""
        elif self.pos < self.n and text[self.pos] == ",":
            self.pos += 1
        elif self.pos < self.n and text[self.pos] != close:
            self.problem(self.pos, f"a comma is missing after the key {key!r}")
        entry = RawEntry(kind, key, [], self.line(at))
        self.out.entries.append(entry)
        seen: set[str] = set()
        what = f"the entry {key!r}" if key else f"the @{kind} entry"
        while True:
            self.skip_ws()
            if self.pos >= self.n:
                self.problem(at, f"{what} is not closed before the end of the file")
                return
            c = text[self.pos]
            if c == close:
                self.pos += 1
                return
            if c == ",":
                self.pos += 1
                continue
            name = _FIELD_NAME_RE.match(text, self.pos)
            if c == "@" or name is None:
                if c == "@" or self._at_line_start():
                    end = self.next_entry_start(self.pos - 1)
                    if end < self.n or c == "@":
                        self.problem(at, f"{what} is not closed; it ends where the next begins")
                        self.pos = end if end > self.pos else self.pos
                        return
                self._skip_junk(what, close)
                continue
            field_at = self.pos
            self.pos = name.end()
            self.skip_ws()
            if self.pos >= self.n or text[self.pos] != "=":
                self.problem(field_at, f"{name.group()!r} in {what} has no '= value'; skipped")
                self._skip_junk(what, close, quiet=True)
                continue
            self.pos += 1
            self.skip_ws()
            fname = name.group()
            low = fname.lower()
            try:
                value = self._value(field_at, f"the field {low} of {what}", close)
            except _EntryEndsError:
                return
            if low in seen:
                self.problem(field_at, f"{what} has a second {low} field; the first is kept")
            else:
                seen.add(low)
                if low in PARAGRAPH_FIELDS and "\n" in value:
                    value = "\n\n".join(
                        _SPACE_RE.sub(" ", p).strip() for p in _PARAGRAPH_RE.split(value)
                    ).strip()
                elif value:
                    value = _SPACE_RE.sub(" ", value).strip()
                entry.fields.append((fname, value))
            self.skip_ws()
            if self.pos < self.n and text[self.pos] not in (",", close):
                ahead = _FIELD_AHEAD_RE.match(text, self.pos)
                if ahead and text[self.pos] != "@":
                    self.problem(self.pos, f"a comma is missing before {ahead.group(1)!r}")

    def _at_line_start(self) -> bool:
        start = self.text.rfind("\n", 0, self.pos) + 1
        return not self.text[start : self.pos].strip()

    def _skip_junk(self, what: str, close: str, quiet: bool = False) -> None:
        """Skip text that is no field, up to the next comma or the entry's end (depth 0)."""
        start = self.pos
        depth = 0
        text = self.text
        i = self.pos
        while i < self.n:
            c = text[i]
            if c == "{":
                depth += 1
            elif c == "}" and depth:
                depth -= 1
            elif (depth == 0 and (c == "," or c == close)) or (
                c == "\n" and _ENTRY_START_RE.match(text, i)
            ):
                break
            i += 1
        if not quiet:
            shown = " ".join(text[start:i].split())[:40]
            self.problem(start, f"unreadable text in {what} was skipped: {shown!r}")
        self.pos = max(i, start + 1)

    def _value(self, at: int, what: str, close: str) -> str:
        parts: list[str] = []
        while True:
            parts.append(self._part(at, what, close))
            self.skip_ws()
            if self.pos < self.n and self.text[self.pos] == "#":
                self.pos += 1
                self.skip_ws()
                continue
            return "".join(parts)

    def _part(self, at: int, what: str, close: str) -> str:
        text = self.text
        if self.pos >= self.n:
            return ""
        c = text[self.pos]
        if c == "{":
            m = _SIMPLE_BRACED_RE.match(text, self.pos)
            if m is not None:
                self.pos = m.end()
                return m.group(1)
            return self._delimited(self.pos + 1, _BRACE_RE, what)
        if c == '"':
            return self._delimited(self.pos + 1, _QUOTE_OR_BRACE_RE, what)
        m = _NUMBER_RE.match(text, self.pos)
        if m is not None:
            self.pos = m.end()
            return m.group()
        m = _MACRO_RE.match(text, self.pos)
        if m is not None:
            self.pos = m.end()
            name = m.group()
            value = self.macros.get(name.lower())
            if value is None:
                if self._in_preamble:
                    self.problem(self.pos, f"{what} uses the undefined @string {name!r}; left out")
                    return ""
                self.problem(self.pos, f"{what} uses the undefined @string {name!r}; kept as text")
                return name
            return value
        self.problem(self.pos, f"{what} has no value")
        return ""

    def _delimited(self, start: int, pattern: re.Pattern[str], what: str) -> str:
        """The text of a ``{…}`` or ``"…"`` value starting at ``start`` (after the opener)."""
        text = self.text
        quoted = pattern is _QUOTE_OR_BRACE_RE
        depth = 0 if quoted else 1
        for m in pattern.finditer(text, start):
            c = m.group()
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth < 0:  # '"…}…"': a "}" too many ends the entry, as in BibTeX
                    break
            elif depth == 0:  # the closing quote
                return self._checked(start, m.start(), m.end(), what)
            if depth == 0 and not quoted:
                return self._checked(start, m.start(), m.end(), what)
        end = self.next_entry_start(start)
        self.problem(start, f"the braces in {what} do not close; it was left out")
        self.pos = end
        raise _EntryEndsError

    def _checked(self, start: int, end: int, after: int, what: str) -> str:
        """The value ``text[start:end]``, unless it ran over the start of another entry."""
        value = self.text[start:end]
        if "@" in value:
            m = _ENTRY_START_RE.search(self.text, start - 1, end)
            if m is not None:
                self.problem(start, f"the braces in {what} do not close; it was left out")
                self.pos = m.start() + 1
                raise _EntryEndsError
        self.pos = after
        return value


def parse_bibtex(text: str) -> ParsedBib:
    """The entries, preambles and problems of a ``.bib`` text (never raises for content)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _Scanner(text).run()


# ----------------------------------------------------------------------------- bytes

_HEADER_RE = re.compile(rb"^%\s*Encoding:\s*([A-Za-z0-9_\-]+)", re.M)


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str | None]:
    """``(text, problem)``: the text of a bibliography file and, when its encoding had to be
    assumed, a sentence saying which. Raises ValueError, with the reason, for bytes that are
    not text in the given (or any usable) encoding.

    Read as: ``encoding`` when given; else by a byte-order mark (UTF-8, UTF-16, UTF-32);
    UTF-16 without one (recognised by its zero bytes); JabRef's ``% Encoding:`` header;
    UTF-8; and failing all that, Windows-1252 (Western European, what old JabRef, Mendeley
    and Windows tools wrote), said as a problem. Charset detection is not used: on files
    this short it guesses wrong (Latin-1 "Gaël" as Baltic cp775, GBK as Korean).
    """
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(f"there is no text encoding called {encoding!r}") from None
        try:
            return data.decode(encoding), None
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise ValueError(f"line {line} is not {encoding} text") from exc
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec), None
            except UnicodeDecodeError as exc:
                raise ValueError(f"it starts as {codec.upper()} text but is not") from exc
    if b"\x00" in data[:4096]:
        sample = data[:4096]
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        codec = "utf-16-be" if even > odd * 4 else "utf-16-le" if odd > even * 4 else ""
        if codec:
            try:
                return data.decode(codec), None
            except UnicodeDecodeError:
                pass
        raise ValueError("it is a binary file, not text")
    header = _HEADER_RE.search(data[:2048])
    if header:
        name = header.group(1).decode("ascii")
        try:
            codecs.lookup(name)
            return data.decode(name), None
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown header: read it as if there were none
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        utf8_error = exc
    line = data.count(b"\n", 0, utf8_error.start) + 1
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ValueError(
            f"line {line} is neither UTF-8 nor Windows-1252 text; give its encoding"
        ) from None
    return text, (
        f"the file is not UTF-8 (line {line}); it was read as Windows-1252 (Western "
        "European): if accented letters look wrong, import it again giving its encoding"
    )
