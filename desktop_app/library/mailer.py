"""Mailing a digest: the server's address, the password, the message, the sending.

The server is one URL (``smtp_url`` in ``settings.json``, or ``DAILY_PAPERS_SMTP_URL``):

- ``smtp://[user[:password]@]host[:port]`` — plain SMTP (port 25), no encryption;
- ``smtp+starttls://…`` — SMTP upgraded with STARTTLS (port 587), refused if the server
  does not offer it;
- ``smtps://…`` — SMTP over TLS from the first byte (port 465).

User and password are percent-decoded (``%40`` for an ``@`` in a user name). Without a
password in the URL it is read from the system keyring (service ``daily-papers``, user
``user@host``). Every failure is an :class:`~desktop_app.errors.MailError` with one line
saying what happened; the caller records nothing as sent unless :func:`send` returned.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from desktop_app.config import Settings
from desktop_app.errors import (
    InvalidInputError,
    MailAuthError,
    MailConnectionLostError,
    MailError,
    MailRecipientError,
    MailServerUnreachableError,
    ReadOnlyLibraryError,
)
from desktop_app.library import digest
from desktop_app.library.digest import Digest, to_html, to_text
from desktop_app.store import Repository

KEYRING_SERVICE = "daily-papers"
DEFAULT_SENDER = "daily-papers@localhost"
SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}
WHERE = "smtp_url in settings.json, or DAILY_PAPERS_SMTP_URL"
# A deliberately simple check (RFC 5321 allows more, mail servers accept less): an ASCII
# local part without spaces or the characters that separate addresses, and a domain of
# dot-separated labels (or localhost). Non-ASCII addresses need SMTPUTF8, which we do not
# speak.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"^{_LOCAL}@(?:{_LABEL}(?:\.{_LABEL})+|localhost)$", re.ASCII)


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send: ``security`` is plain, starttls or tls."""

    host: str
    port: int
    security: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        """The address without the password (for messages)."""
        scheme = {v[0]: k for k, v in SCHEMES.items()}[self.security]
        user = f"{self.user}@" if self.user else ""
        return f"{scheme}://{user}{self.host}:{self.port}"

    @property
    def keyring_user(self) -> str:
        return f"{self.user}@{self.host}"


def parse_smtp_url(url: str) -> SmtpServer:
    """The server named by ``url``, or InvalidInputError (which never repeats the URL: it
    may hold a password)."""
    text = url.strip()
    if not text:
        raise InvalidInputError(
            "No mail server is set.",
            hint=f"Set {WHERE}, e.g. smtp+starttls://you%40example.org@smtp.example.org.",
        )

    def bad(why: str) -> InvalidInputError:
        return InvalidInputError(
            f"The mail server address ({WHERE}) {why}.",
            hint="Use smtp://, smtp+starttls:// or smtps://[user[:password]@]host[:port].",
        )

    if any(c.isspace() or not c.isprintable() for c in text):
        raise bad("contains spaces or control characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise bad(f"is malformed ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise bad(f"has the scheme {scheme or 'nothing'!r}, not smtp, smtp+starttls or smtps")
    if not parts.hostname:
        raise bad("names no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise bad("has a path, query or fragment after the host")
    security, default_port = SCHEMES[scheme]
    if port == 0:
        raise bad("has port 0")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and not user:
        raise bad("has a password but no user")
    return SmtpServer(parts.hostname, port or default_port, security, user, password)


def check_address(text: str) -> str:
    """The bare address in ``text`` (``ada@example.org`` or ``Ada <ada@example.org>``), or
    InvalidInputError."""
    raw = text.strip()
    _, address = parseaddr(raw)
    # parseaddr forgives (it joins "ada@exa mple.org" into one address): what it found must
    # be written in the text as it is.
    if (
        not raw
        or any(c in raw for c in ",;\r\n")
        or not _ADDRESS.match(address)
        or address not in raw
    ):
        shown = raw if raw.isprintable() else repr(raw)
        raise InvalidInputError(
            f"“{shown}” is not an e-mail address this can send to.",
            hint="Give one address such as ada@example.org (ASCII only).",
        )
    return address


def keyring_password(user: str, host: str) -> tuple[str | None, str]:
    """The password stored for ``user@host``, and if there is none, why (the keyring may
    have no usable backend on this machine)."""
    try:
        import keyring

        password = keyring.get_password(KEYRING_SERVICE, f"{user}@{host}")
    # Backends raise their own errors (D-Bus, Secret Service, a locked collection), not
    # only keyring.errors.KeyringError; any of them means "no password from here".
    except Exception as exc:
        return None, f"the system keyring cannot be used here ({type(exc).__name__}: {exc})"
    if password is None:
        return None, "the system keyring holds none"
    return password, ""


def with_password(server: SmtpServer) -> SmtpServer:
    """``server`` with its password: from the URL, else the keyring, else MailAuthError
    saying how to store one. A server without a user needs none."""
    if server.user is None or server.password is not None:
        return server
    password, why = keyring_password(server.user, server.host)
    if password is None:
        raise MailAuthError(
            f"No password for {server.keyring_user}: {why}.",
            hint=f"Store it with `keyring set {KEYRING_SERVICE} {server.keyring_user}`, or "
            "put it in the address (smtp+starttls://user:password@host).",
        )
    return replace(server, password=password)


def sender(server: SmtpServer) -> str:
    """The From address: the SMTP user when it is an address, else daily-papers@localhost."""
    if server.user and _ADDRESS.match(server.user):
        return server.user
    return DEFAULT_SENDER


def build_message(digest: Digest, from_addr: str, to_addr: str) -> EmailMessage:
    """A multipart/alternative message: the plain text, then the (safe) HTML."""
    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = from_addr
    message["To"] = to_addr
    message["Date"] = formatdate(localtime=True)
    # The domain given: make_msgid would otherwise ask DNS for this machine's name.
    message["Message-ID"] = make_msgid("digest", domain=from_addr.rpartition("@")[2])
    message.set_content(to_text(digest))
    message.add_alternative(to_html(digest), subtype="html")
    return message


def send(server: SmtpServer, message: EmailMessage, timeout: float = 30.0) -> None:
    """Send ``message`` to its To address; returns only once the server accepted it."""
    where = f"{server.host}:{server.port}"
    context = ssl.create_default_context()
    try:
        if server.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=timeout, context=context
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=timeout)
    except ssl.SSLError as exc:
        raise MailServerUnreachableError(
            f"Could not set up TLS with the mail server {where} ({exc.reason or exc}).",
            hint="Is it smtps (port 465)? Otherwise use smtp+starttls:// or smtp://.",
        ) from None
    except TimeoutError:
        raise MailServerUnreachableError(
            f"The mail server {where} did not answer within {timeout:g} s."
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailServerUnreachableError(
            f"Could not reach the mail server {where}: {_reason(exc)}.",
            hint=f"Check the address ({WHERE}) and your network.",
        ) from None
    try:
        _converse(client, server, message, where, context)
    finally:
        client.close()


def _converse(
    client: smtplib.SMTP,
    server: SmtpServer,
    message: EmailMessage,
    where: str,
    context: ssl.SSLContext,
) -> None:
    to_addr = str(message["To"])
    try:
        client.ehlo()
        if server.security == "starttls":
            if not client.has_extn("starttls"):
                raise MailServerUnreachableError(
                    f"The mail server {where} does not offer STARTTLS.",
                    hint="Use smtps:// if it speaks TLS from the start, or smtp:// (unencrypted).",
                )
            client.starttls(context=context)
            client.ehlo()
        if server.user:
            if not client.has_extn("auth"):
                raise MailAuthError(
                    f"The mail server {where} offers no login (AUTH) on this connection.",
                    hint="Servers often offer it only after STARTTLS: try smtp+starttls://.",
                )
            client.login(server.user, server.password or "")
        client.send_message(message, to_addrs=[to_addr])
    except smtplib.SMTPAuthenticationError as exc:
        raise MailAuthError(
            f"The mail server {where} refused the login of {server.user}: {_reason(exc)}.",
            hint="Check the user name and password.",
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (0, b""))
        raise MailRecipientError(
            f"The mail server {where} refused the recipient {to_addr}: {code} {_text(text)}.",
            hint="Check the address; nothing was sent.",
        ) from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailRecipientError(
            f"The mail server {where} refused the sender {exc.sender}: {_reason(exc)}.",
            hint="The SMTP user is used as the sender; the server may want another.",
        ) from None
    except smtplib.SMTPServerDisconnected:
        raise MailConnectionLostError(
            f"The mail server {where} closed the connection before accepting the digest.",
            hint="Nothing was recorded as sent; try again later.",
        ) from None
    except ssl.SSLError as exc:
        raise MailServerUnreachableError(
            f"TLS with the mail server {where} failed ({exc.reason or exc})."
        ) from None
    except TimeoutError:
        raise MailConnectionLostError(
            f"The mail server {where} stopped answering.",
            hint="Nothing was recorded as sent; try again later.",
        ) from None
    except smtplib.SMTPException as exc:
        raise MailError(
            f"The mail server {where} did not take the digest: {_reason(exc)}.",
            hint="Nothing was recorded as sent.",
        ) from None
    except OSError as exc:
        raise MailConnectionLostError(
            f"The connection to the mail server {where} broke: {_reason(exc)}.",
            hint="Nothing was recorded as sent; try again later.",
        ) from None
    # The message was accepted: a failed goodbye changes nothing.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        client.quit()


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


@dataclass(frozen=True)
class SentDigest:
    """A digest mailed (``count`` 0: nothing new to send, nothing sent)."""

    address: str
    since: date
    count: int
    server: str = ""
    changes_library: bool = False

    def describe(self) -> str:
        if not self.count:
            return f"Nothing new to send to {self.address} since {self.since.isoformat()}."
        n = self.count
        return f"Sent {n} paper{'s' if n != 1 else ''} to {self.address} ({self.server})."


NEWS_DAYS = 7  # how far back a mailed digest looks for news not mailed yet


def send_digest(
    repo: Repository,
    settings: Settings,
    address: str,
    since: date | None = None,
    top: int = 10,
) -> SentDigest:
    """Mail the digest to ``address`` with only the papers never mailed there, and record
    them once the server accepted the message. The address and the server's URL are checked
    before the library is read or a connection opened; a failure records nothing."""
    if not address.strip():
        raise InvalidInputError(
            "No address to send the digest to.",
            hint="Give --to ADDRESS, or set digest_to in settings.json (or in Preferences).",
        )
    checked = check_address(address)
    server = parse_smtp_url(settings.smtp_url)
    if repo.read_only:  # it could send, but not remember what it sent
        raise ReadOnlyLibraryError(
            "The library is read-only, so a digest sent now could not be recorded and would "
            "be sent again.",
            hint="Make the library writable first.",
        )
    # News found since the last digest (up to a week back), whatever day the lists are on.
    looks_back = since or date.today() - timedelta(days=NEWS_DAYS)
    built = digest.build_digest(repo, since, top, followed_from=looks_back)
    store = repo.follows_store
    fresh = built.without(store.digest_sent(checked, built.paper_ids))
    if fresh.is_empty:
        return SentDigest(checked, built.since, 0)
    server = with_password(server)
    # Claimed before sending, so the window and a timer sending at the same moment do not
    # both mail a paper; a failed send gives its claims back (nothing is recorded).
    claimed = set(store.claim_digest(checked, fresh.paper_ids))
    fresh = built.without(set(built.paper_ids) - claimed)
    if fresh.is_empty:
        return SentDigest(checked, built.since, 0)
    try:
        message = build_message(fresh, sender(server), checked)
        send(server, message, timeout=settings.request_timeout_s)
    except BaseException:
        store.release_digest(checked, fresh.paper_ids)
        raise
    return SentDigest(checked, built.since, len(fresh.paper_ids), str(server))
