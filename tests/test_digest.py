"""The digest (issue 14, item 4): built from a real library, rendered, and mailed to a real
SMTP server on loopback (aiosmtpd), including the ways sending fails."""

from __future__ import annotations

import email
import email.policy
import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
import pytest
from aiosmtpd import smtp as aiosmtp
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from pytest_httpserver import HTTPServer
from sources_support import fixture_bytes

from desktop_app.cli import main
from desktop_app.config import SETTINGS_FILENAME, Settings, db_path, load_settings
from desktop_app.domain import DailyAppearance, PaperRecord, SavedSearch
from desktop_app.errors import InvalidInputError
from desktop_app.library import follow
from desktop_app.library.digest import build_digest, to_html, to_markdown, to_text
from desktop_app.library.mailer import check_address, parse_smtp_url
from desktop_app.store import Repository

LONG_AGO = "2000-01-01T00:00:00Z"
TODAY = date.today()
DAY = TODAY - timedelta(days=3)  # the newest stored list (today has none)
BEFORE = DAY - timedelta(days=1)
ADDRESS = "reader@example.org"
SCRIPT_TITLE = "<script>alert('x')</script> & Friends: \"Quoted\" <img src=x onerror=alert(1)>"
LATEX_TITLE = r"$\mathcal{O}(n \log n)$ Attention_with *stars* — 注意力 für Ünïcode"


def record(pid: str, title: str, **kw: Any) -> PaperRecord:
    base: dict[str, Any] = {
        "authors": ("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"),
        "published": DAY,
        "abstract": "An abstract.",
        "source": "hf",
    }
    base.update(kw)
    return PaperRecord(id=pid, title=title, **base)


def seed(repo: Repository) -> None:
    """Two daily lists, one paper known from arXiv alone, and two followed items."""
    day_list = [
        record("2611.00001", "Scaling Laws for Sparse Models", upvotes=12, organization="NVIDIA"),
        record("2611.00002", SCRIPT_TITLE, upvotes=40, ai_summary="Escapes  <b>bold</b>\nok."),
        record("2611.00003", LATEX_TITLE, upvotes=25, authors=("Zhang Wei",)),
    ]
    repo.upsert_papers(
        day_list, [DailyAppearance(r.id, DAY, i + 1) for i, r in enumerate(day_list)]
    )
    older = record("2611.00009", "Yesterday's Paper", upvotes=99, authors=("Someone Else",))
    repo.upsert_papers([older], [DailyAppearance(older.id, BEFORE, 1)])
    # From arXiv alone: Hugging Face does not list it, so no upvotes and no HF link.
    repo.upsert_papers(
        [record("2611.00050", "Lovelace on Engines", authors=("Ada Lovelace",), source="arxiv")]
    )
    store = repo.follows_store
    store.add_follow("author", "Ada Lovelace", checked=LONG_AGO)
    store.add_follow("org", "NVIDIA", checked=LONG_AGO)
    follow.check(repo)


@pytest.fixture
def library(data_dir: Path) -> Path:
    repo = Repository.open(db_path(data_dir))
    try:
        seed(repo)
    finally:
        repo.close()
    return data_dir


def with_repo(data_dir: Path, action: Callable[[Repository], Any]) -> Any:
    repo = Repository.open(db_path(data_dir))
    try:
        return action(repo)
    finally:
        repo.close()


# ----------------------------------------------------------------------------- SMTP server
@dataclass
class Recorder:
    """An aiosmtpd handler that keeps what it saw; it may refuse recipients or hang up."""

    reject_rcpt: bool = False
    hang_up_in_data: bool = False
    hellos: list[str] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_EHLO(
        self, server: aiosmtp.SMTP, session: Session, envelope: Envelope, hostname: str, responses
    ) -> list[str]:
        self.hellos.append(hostname)
        session.host_name = hostname
        return list(responses)

    async def handle_RCPT(
        self, server: aiosmtp.SMTP, session: Session, envelope: Envelope, address: str, options
    ) -> str:
        if self.reject_rcpt:
            return "550 5.1.1 <" + address + ">: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: aiosmtp.SMTP, session: Session, envelope: Envelope) -> str:
        if self.hang_up_in_data:
            assert server.transport is not None
            server.transport.abort()  # gone before the final reply to DATA
            return "250 never seen"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def saw_nothing(self) -> bool:
        return not self.hellos and not self.envelopes

    def messages(self) -> list[EmailMessage]:
        out = []
        for env in self.envelopes:
            assert isinstance(env.content, bytes)
            msg = email.message_from_bytes(env.content, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            out.append(msg)
        return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    handler: Recorder
    port: int

    def url(self, scheme: str = "smtp", userinfo: str = "") -> str:
        return f"{scheme}://{userinfo}{'@' if userinfo else ''}127.0.0.1:{self.port}"


@pytest.fixture
def smtp() -> Iterator[Callable[..., Server]]:
    """Start a real SMTP server on loopback: ``smtp(handler, **SMTP options)``."""
    started: list[Controller] = []

    def start(handler: Recorder | None = None, **options: Any) -> Server:
        handler = handler or Recorder()
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
        controller.start()  # returns once the server answers
        started.append(controller)
        return Server(handler, port)

    yield start
    for controller in started:
        controller.stop()


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("daily-papers: error: ")
    return lines[0]


def sent_ids(data_dir: Path, address: str = ADDRESS) -> set[str]:
    ids = ["2611.00001", "2611.00002", "2611.00003", "2611.00009", "2611.00050", "2611.00060"]
    result: set[str] = with_repo(data_dir, lambda r: r.follows_store.digest_sent(address, ids))
    return result


# ----------------------------------------------------------------------------- building
def test_digest_holds_the_top_of_the_newest_list_then_what_followed_items_found(
    repo: Repository,
) -> None:
    seed(repo)
    digest = build_digest(repo, today=TODAY)
    assert digest.since == DAY  # today has no list: the newest stored one
    top, *follows = digest.sections
    assert [i.paper.id for i in top.items] == ["2611.00002", "2611.00003", "2611.00001"]
    assert top.title == f"Top 3 of Hugging Face's list of {DAY.isoformat()}, by upvotes"
    # NVIDIA's paper is in the top already: shown once, with the item it matched.
    nvidia = top.items[2]
    assert nvidia.follows == ("Author Ada Lovelace", "Organization NVIDIA")
    assert [s.title for s in follows] == ["Author Ada Lovelace: 3 new papers (2 of them above)"]
    assert [i.paper.id for i in follows[0].items] == ["2611.00050"]
    assert "2611.00009" not in digest.paper_ids  # on yesterday's list
    # … unless the digest starts earlier.
    wider = build_digest(repo, BEFORE, top=2, today=TODAY)
    assert [i.paper.id for i in wider.sections[0].items] == ["2611.00009", "2611.00002"]
    assert wider.sections[0].title.startswith(f"Top 2 on Hugging Face's daily lists since {BEFORE}")


def test_a_library_without_lists_says_what_to_do(repo: Repository) -> None:
    digest = build_digest(repo, today=TODAY)
    assert digest.is_empty and digest.since == TODAY
    assert "daily-papers fetch" in to_text(digest)


def test_text_shows_each_paper_with_authors_upvotes_summary_and_links(repo: Repository) -> None:
    seed(repo)
    text = to_text(build_digest(repo, today=TODAY))
    assert LATEX_TITLE in text  # Unicode and LaTeX as they are
    assert "Scaling Laws for Sparse Models" in text
    assert "Ada Lovelace, Alan Turing, Grace Hopper et al. · NVIDIA · 12 upvotes" in text
    assert "Escapes <b>bold</b> ok." in text  # one line
    assert "Hugging Face: https://huggingface.co/papers/2611.00001" in text
    assert "arXiv: https://arxiv.org/abs/2611.00001" in text
    assert "PDF: https://arxiv.org/pdf/2611.00001" in text
    assert "Followed: Author Ada Lovelace; Organization NVIDIA" in text
    # Known from arXiv alone: no made-up upvotes, no Hugging Face page.
    block = text.split("Lovelace on Engines", 1)[1].split("\n\n", 1)[0]
    assert "upvote" not in block and "huggingface.co" not in block
    assert "arXiv: https://arxiv.org/abs/2611.00050" in block


def test_markdown_escapes_so_titles_read_as_they_are(repo: Repository) -> None:
    seed(repo)
    md = to_markdown(build_digest(repo, today=TODAY))
    line = next(x for x in md.splitlines() if "Attention" in x)
    title = line.split("**[", 1)[1].split("](<https://huggingface.co/papers/2611.00003>)", 1)[0]
    assert title.count("\\$") == 2 and "\\_" in title and "\\*stars\\*" in title
    assert _md_unescape(title) == LATEX_TITLE
    assert "[arXiv](<https://arxiv.org/abs/2611.00003>)" in md
    assert "<script>" not in md


def _md_unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_safe_html(document: str) -> _Tags:
    """Escaped text, http(s) links only, nothing loaded from elsewhere, inline styles only."""
    parsed = _Tags()
    parsed.feed(document)
    names = {t for t, _ in parsed.tags}
    assert names <= {"html", "head", "meta", "title", "body", "h1", "h2", "ol", "li", "a"} | {
        "br",
        "span",
        "em",
        "strong",
        "p",
    }, names
    assert "<img" not in document and "<script" not in document and "<style" not in document
    for tag, attrs in parsed.tags:
        assert set(attrs) <= {"href", "style", "charset"}, (tag, attrs)
        if tag == "a":
            assert str(attrs["href"]).startswith("https://"), attrs
    return parsed


def test_html_is_escaped_linked_and_loads_nothing(repo: Repository) -> None:
    seed(repo)
    document = to_html(build_digest(repo, today=TODAY))
    parsed = check_safe_html(document)
    text = "".join(parsed.text)
    assert SCRIPT_TITLE in text and LATEX_TITLE in text  # shown as the characters they are
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Friends" in document
    hrefs = [a["href"] for t, a in parsed.tags if t == "a"]
    assert "https://huggingface.co/papers/2611.00002" in hrefs
    assert "https://arxiv.org/pdf/2611.00050" in hrefs
    assert "https://huggingface.co/papers/2611.00050" not in hrefs


# ----------------------------------------------------------------------------- printing
def test_cli_prints_the_digest_in_each_format(library: Path, capsys) -> None:
    assert main(["digest"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Daily Papers — {TODAY.isoformat()}\n")
    assert LATEX_TITLE in out and "Author Ada Lovelace" in out
    assert main(["digest", "--format", "html"]) == 0
    check_safe_html(capsys.readouterr().out)
    assert main(["digest", "--format", "markdown", "--since", BEFORE.isoformat()]) == 0
    assert "Yesterday's Paper" in capsys.readouterr().out
    assert main(["digest", "--to", ADDRESS]) == 1
    assert "--to goes with --send" in one_error_line(capsys.readouterr().err)


# ----------------------------------------------------------------------------- mailing
def test_send_mails_text_and_safe_html_and_remembers_it(
    library: Path, smtp, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    server = smtp()
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", server.url())
    assert main(["digest", "--send", "--to", f"Reader <{ADDRESS}>"]) == 0
    assert capsys.readouterr().out == (
        f"Sent 4 papers to {ADDRESS} (smtp://127.0.0.1:{server.port}).\n"
    )
    (envelope,) = server.handler.envelopes
    assert envelope.rcpt_tos == [ADDRESS] and envelope.mail_from == "daily-papers@localhost"
    (msg,) = server.handler.messages()
    assert msg["To"] == ADDRESS and msg["From"] == "daily-papers@localhost"
    assert msg["Subject"] == f"Daily Papers {TODAY.isoformat()}: 4 papers"
    assert msg.get_content_type() == "multipart/alternative"
    plain, rich = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None and rich is not None
    text, document = plain.get_content(), rich.get_content()
    assert SCRIPT_TITLE in text and LATEX_TITLE in text
    assert "https://arxiv.org/pdf/2611.00050" in text
    parsed = check_safe_html(document)
    assert "&lt;script&gt;" in document and LATEX_TITLE in "".join(parsed.text)
    assert 'href="https://huggingface.co/papers/2611.00003"' in document
    assert sent_ids(library) == {"2611.00001", "2611.00002", "2611.00003", "2611.00050"}


def test_a_second_send_mails_only_what_is_new_then_nothing(
    library: Path, smtp, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    server = smtp()
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", server.url())
    (library / SETTINGS_FILENAME).write_text(json.dumps({"digest_to": ADDRESS}), "utf-8")
    assert main(["digest", "--send"]) == 0
    capsys.readouterr()

    def more(repo: Repository) -> None:
        new = record("2611.00060", "A Later Paper", upvotes=3)
        repo.upsert_papers([new], [DailyAppearance(new.id, DAY, 4)])
        follow.check(repo)

    with_repo(library, more)
    assert main(["digest", "--send"]) == 0
    assert capsys.readouterr().out.startswith(f"Sent 1 paper to {ADDRESS}")
    second = server.handler.messages()[1]
    text = second.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "A Later Paper" in text and "Scaling Laws" not in text
    assert "(3 mailed before, not repeated)" in text
    assert main(["digest", "--send"]) == 0
    assert capsys.readouterr().out == (
        f"Nothing new to send to {ADDRESS} since {DAY.isoformat()}.\n"
    )
    assert len(server.handler.envelopes) == 2
    # Another address gets everything.
    assert main(["digest", "--send", "--to", "other@example.org"]) == 0
    assert "Sent 5 papers to other@example.org" in capsys.readouterr().out


def authenticator(
    server: aiosmtp.SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    good = isinstance(data, LoginPassword) and (data.login, data.password) == (
        b"ada@example.org",
        b"p@ss:w/rd",
    )
    # handled=False: the server answers 535 itself.
    return AuthResult(success=good, handled=False)


def test_login_with_a_percent_encoded_password_in_the_url(
    library: Path, smtp, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    server = smtp(auth_require_tls=False, authenticator=authenticator)
    url = server.url(userinfo="ada%40example.org:p%40ss%3Aw%2Frd")
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", url)
    assert main(["digest", "--send", "--to", ADDRESS]) == 0
    assert "p%40ss" not in capsys.readouterr().out  # the password is never printed
    (msg,) = server.handler.messages()
    assert msg["From"] == "ada@example.org"


def test_the_password_comes_from_the_keyring(
    library: Path, smtp, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    server = smtp(auth_require_tls=False, authenticator=authenticator)
    asked: list[tuple[str, str]] = []

    def get_password(service: str, user: str) -> str | None:
        asked.append((service, user))
        return "p@ss:w/rd"

    monkeypatch.setattr(keyring, "get_password", get_password)
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", server.url(userinfo="ada%40example.org"))
    assert main(["digest", "--send", "--to", ADDRESS]) == 0
    assert asked == [("daily-papers", "ada@example.org@127.0.0.1")]
    assert len(server.handler.envelopes) == 1


def test_without_a_keyring_it_says_how_to_store_the_password(
    library: Path, smtp, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    server = smtp(auth_require_tls=False, authenticator=authenticator)

    def no_backend(service: str, user: str) -> str | None:
        raise keyring.errors.NoKeyringError("No recommended backend was available.")

    monkeypatch.setattr(keyring, "get_password", no_backend)
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", server.url("smtp+starttls", "ada"))
    assert main(["digest", "--send", "--to", ADDRESS]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "No password for ada@127.0.0.1" in line and "NoKeyringError" in line
    assert "keyring set daily-papers ada@127.0.0.1" in line
    assert server.handler.saw_nothing and sent_ids(library) == set()


def test_a_refused_login_is_one_line_and_nothing_is_recorded(
    library: Path, smtp, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    server = smtp(auth_require_tls=False, authenticator=authenticator)
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", server.url(userinfo="ada%40example.org:wrong"))
    assert main(["digest", "--send", "--to", ADDRESS]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "refused the login of ada@example.org: 535" in line and "wrong" not in line
    assert server.handler.envelopes == [] and sent_ids(library) == set()


def test_a_rejected_recipient_records_nothing(
    library: Path, smtp, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    server = smtp(Recorder(reject_rcpt=True))
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", server.url())
    assert main(["digest", "--send", "--to", ADDRESS]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert f"refused the recipient {ADDRESS}: 550 5.1.1" in line
    assert sent_ids(library) == set()


def test_a_server_hanging_up_mid_message_records_nothing(
    library: Path, smtp, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    server = smtp(Recorder(hang_up_in_data=True))
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", server.url())
    assert main(["digest", "--send", "--to", ADDRESS]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "closed the connection before accepting the digest" in line
    assert sent_ids(library) == set()
    # The same digest goes out whole once the server works.
    working = smtp()
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", working.url())
    assert main(["digest", "--send", "--to", ADDRESS]) == 0
    assert "Sent 4 papers" in capsys.readouterr().out


def test_an_unreachable_server_is_one_line(
    library: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    assert main(["digest", "--send", "--to", ADDRESS]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "Could not reach the mail server 127.0.0.1:" in line
    assert sent_ids(library) == set()


def test_tls_mismatches_are_explained(
    library: Path, smtp, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    server = smtp()  # plain SMTP, no STARTTLS
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", server.url("smtps"))
    assert main(["digest", "--send", "--to", ADDRESS]) == 1
    assert "Could not set up TLS" in one_error_line(capsys.readouterr().err)
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", server.url("smtp+starttls"))
    assert main(["digest", "--send", "--to", ADDRESS]) == 1
    assert "does not offer STARTTLS" in one_error_line(capsys.readouterr().err)
    assert server.handler.envelopes == [] and sent_ids(library) == set()


@pytest.mark.parametrize(
    "address",
    ["not-an-address", "a@b", "ada@example.org, eve@example.org", "ada@exa mple.org", "ü@b.org"],
)
def test_a_malformed_address_is_refused_before_any_connection(
    library: Path, smtp, monkeypatch: pytest.MonkeyPatch, capsys, address: str
) -> None:
    server = smtp()
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", server.url())
    assert main(["digest", "--send", "--to", address]) == 1
    assert "is not an e-mail address" in one_error_line(capsys.readouterr().err)
    assert server.handler.saw_nothing


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:{port}", "scheme 'http'"),
        ("smtp://127.0.0.1:99999", "malformed"),
        ("smtp://127.0.0.1:{port}/inbox", "a path"),
        ("smtp://:secret@127.0.0.1:{port}", "no user"),
        ("smtp:///", "no host"),
        ("smtp://127.0.0.1:{port} x", "spaces"),
    ],
)
def test_a_malformed_server_url_is_refused_before_any_connection(
    library: Path, smtp, monkeypatch: pytest.MonkeyPatch, capsys, url: str, why: str
) -> None:
    server = smtp()
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", url.format(port=server.port))
    assert main(["digest", "--send", "--to", ADDRESS]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert why in line and "secret" not in line
    assert server.handler.saw_nothing


def test_no_address_or_no_server_is_a_clear_error(library: Path, capsys) -> None:
    assert main(["digest", "--send"]) == 1
    assert "No address to send the digest to" in one_error_line(capsys.readouterr().err)
    assert main(["digest", "--send", "--to", ADDRESS]) == 1
    assert "No mail server is set" in one_error_line(capsys.readouterr().err)


def test_server_urls_and_addresses() -> None:
    plain = parse_smtp_url("smtp://mail.example.org")
    assert (plain.host, plain.port, plain.security, plain.user) == (
        "mail.example.org",
        25,
        "plain",
        None,
    )
    tls = parse_smtp_url("SMTP+STARTTLS://me%40x.org:p%20w@mail.example.org")
    assert (tls.port, tls.security, tls.user, tls.password) == (587, "starttls", "me@x.org", "p w")
    assert "p w" not in repr(tls) and str(tls) == "smtp+starttls://me@x.org@mail.example.org:587"
    assert parse_smtp_url("smtps://mail.example.org:2465").port == 2465
    assert parse_smtp_url("smtps://mail.example.org").port == 465
    with pytest.raises(InvalidInputError, match="port 0"):
        parse_smtp_url("smtp://mail.example.org:0")
    assert check_address("  Ada <ada@example.org> ") == "ada@example.org"
    assert check_address("root@localhost") == "root@localhost"
    with pytest.raises(InvalidInputError):
        check_address("ada@example.org\r\nBcc: eve@example.org")


# ----------------------------------------------------------------------------- settings
def test_digest_settings_and_the_environment_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / SETTINGS_FILENAME).write_text(
        json.dumps(
            {"smtp_url": "smtps://a@mail.example.org", "digest_to": ADDRESS, "digest_time": "7:30"}
        ),
        "utf-8",
    )
    settings = load_settings(tmp_path)
    assert (settings.smtp_url, settings.digest_to) == ("smtps://a@mail.example.org", ADDRESS)
    assert settings.digest_at is not None and settings.digest_at.isoformat() == "07:30:00"
    assert settings.effective().smtp_url == "smtps://a@mail.example.org"
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", "smtp://relay.local:2525")
    assert settings.effective().smtp_url == "smtp://relay.local:2525"
    assert settings.smtp_url == "smtps://a@mail.example.org"  # the setting itself is kept
    assert Settings().digest_at is None and Settings(digest_time="24:00").digest_at is None


# ----------------------------------------------------------------------------- fetch
def test_fetch_checks_followed_items(
    data_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def follow_everything(repo: Repository) -> None:
        repo.follows_store.save_search(SavedSearch("Everything"))
        repo.follows_store.add_follow("search", "Everything", checked=LONG_AGO)

    with_repo(data_dir, follow_everything)
    monkeypatch.setenv("HF_ENDPOINT", httpserver.url_for("/").rstrip("/"))
    httpserver.expect_request("/api/daily_papers").respond_with_data(
        fixture_bytes("hf_daily_2026-03-06.json"), content_type="application/json"
    )
    assert main(["fetch", "--date", "2026-03-06"]) == 0
    assert capsys.readouterr().err == "3 new papers for followed items\n"
    assert with_repo(data_dir, lambda r: r.follows()[0].new) == 3
    assert main(["fetch", "--date", "2026-03-06"]) == 0  # nothing new: nothing said
    assert capsys.readouterr().err == ""


# ----------------------------------------------------------------------------- the window
def test_the_window_mails_the_digest_at_the_chosen_time_once_a_day(
    make_window, repo: Repository, smtp, qtbot
) -> None:
    from desktop_app.config import Settings
    from desktop_app.library.follow_jobs import SendDigest
    from desktop_app.ui.controller import DIGEST_DAY

    seed(repo)
    server = smtp()
    settings = Settings(
        refresh_on_start=False,
        backup_every_days=0,
        smtp_url=server.url(),
        digest_to=ADDRESS,
        digest_time="00:00",  # already past: sent as the window starts
    )
    win = make_window(repo, settings)
    with qtbot.waitSignal(win.controller.done, timeout=10_000) as done:
        win.controller.start_auto_refresh()
    assert done.args[0].startswith(f"Sent 4 papers to {ADDRESS}")
    (message,) = server.handler.messages()
    assert message["To"] == ADDRESS
    assert repo.get_meta(DIGEST_DAY) == date.today().isoformat()
    win.controller.on_digest_timer_timeout()  # the next minute: once a day
    assert win.controller.running(SendDigest) == 0
    assert win.controller.digest_timer.isActive()
    # No time chosen: no schedule.
    win.controller.settings = Settings(refresh_on_start=False, backup_every_days=0)
    win.controller.start_auto_refresh()
    assert not win.controller.digest_timer.isActive()


def test_preferences_set_the_daily_digest_and_refuse_a_bad_address(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QTime

    from desktop_app.config import Settings
    from desktop_app.ui.preferences import PreferencesDialog

    monkeypatch.delenv("DAILY_PAPERS_SMTP_URL", raising=False)
    dialog = PreferencesDialog(Settings())
    qtbot.addWidget(dialog)
    assert not dialog.digest_on.isChecked()
    dialog.digest_on.setChecked(True)
    dialog.digest_time.setTime(QTime(7, 30))
    dialog.digest_to.setText("not an address")
    dialog.smtp.setText("smtp+starttls://me@smtp.example.org")
    dialog.accept()
    assert dialog.result() == 0 and "Digest:" in dialog.error.text()
    dialog.digest_to.setText(ADDRESS)
    dialog.accept()
    chosen = dialog.result_settings()
    assert (chosen.digest_time, chosen.digest_to) == ("07:30", ADDRESS)
    assert chosen.smtp_url == "smtp+starttls://me@smtp.example.org"
    assert dialog.result() == 1
    # A server set in the environment is not shown (it may hold a password) nor stored.
    monkeypatch.setenv("DAILY_PAPERS_SMTP_URL", "smtp://user:secret@127.0.0.1:2525")
    other = PreferencesDialog(Settings(smtp_url="smtp://mine:25"))
    qtbot.addWidget(other)
    assert "secret" not in other.smtp.text() and not other.smtp.isEnabled()
    assert other.result_settings().smtp_url == "smtp://mine:25"


def test_a_mailed_digest_holds_news_found_after_the_last_one_whatever_the_list_day(
    repo: Repository, smtp
) -> None:
    """News found yesterday afternoon (after yesterday's digest went out) is mailed with
    today's digest, although today's list is newer than the day it was found."""
    from datetime import timedelta

    from desktop_app.config import Settings
    from desktop_app.library import mailer

    today = date.today()
    listed = record("2611.00100", "Today's top paper", upvotes=50)
    repo.upsert_papers([listed], [DailyAppearance(listed.id, today, 1)])
    found = record("2611.00101", "Found yesterday afternoon", authors=("Ada Lovelace",))
    repo.upsert_papers([found])
    followed = repo.follows_store.add_follow("author", "Ada Lovelace")
    yesterday = (today - timedelta(days=1)).isoformat() + "T14:00:00Z"
    repo.follows_store.record_news(followed.id, [found.id], yesterday)
    server = smtp()
    settings = Settings(smtp_url=server.url())
    sent = mailer.send_digest(repo, settings, ADDRESS)
    assert sent.count == 2
    (message,) = server.handler.messages()
    plain = message.get_body(("plain",)).get_content()
    assert "Found yesterday afternoon" in plain
    again = mailer.send_digest(repo, settings, ADDRESS)
    assert again.count == 0  # and never twice
