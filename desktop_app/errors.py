"""User-facing errors.

Everything a person can cause or meet (bad input, a network failure, a locked or too-new
database) is an :class:`AppError` whose ``str()`` is one sentence saying what happened and what
to do. Anything else is a bug and is reported as such.
"""

from __future__ import annotations

from typing import Protocol


class AppError(Exception):
    """An error with a message meant for the user (one line, no traceback)."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class NotFoundError(AppError):
    """A paper, tag or remote resource that does not exist."""


class InvalidInputError(AppError):
    """Input the user typed that cannot be understood (a bad id, date or tag name)."""


class StoreError(AppError):
    """The library database cannot be used (locked, corrupt, unwritable)."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer version of the application."""


class DatabaseBusyError(StoreError):
    """Another program holds the database for longer than we are willing to wait."""


class DiskFullError(StoreError):
    """The disk holding the library has no room left; the write was rolled back."""


class ReadOnlyLibraryError(StoreError):
    """The library can be read but not changed (a read-only file, folder or disk)."""


class DamagedLibraryError(StoreError):
    """The library file is damaged (or is not a library at all)."""


class FetchError(AppError):
    """A remote source failed; the message says how and what to do."""


class OfflineError(FetchError):
    """No network, or the host name cannot be resolved."""


class FetchTimeoutError(FetchError):
    """The server did not answer in time."""


class RateLimitedError(FetchError):
    """The server asked us to slow down (HTTP 429)."""

    def __init__(self, message: str, *, retry_after: float | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class ServerError(FetchError):
    """The server answered with a 5xx status."""


class BadResponseError(FetchError):
    """The server answered something we cannot read (HTML, truncated, malformed, empty)."""


class PageCapError(FetchError):
    """A source kept sending pages past the most one fetch reads (a server ignoring paging)."""


class PartialFetchError(FetchError):
    """A fetch stored some pages and then stopped; ``cause`` says why, ``stored`` how much.

    The message says exactly what was stored and what was not, and what to do.
    """

    def __init__(self, message: str, *, cause: AppError, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.cause = cause


class MailError(AppError):
    """A digest could not be mailed; nothing was recorded as sent."""


class MailServerUnreachableError(MailError):
    """The mail server could not be reached (refused, unknown host, timeout, TLS failed)."""


class MailAuthError(MailError):
    """The mail server refused the user name and password (or offers no login)."""


class MailRecipientError(MailError):
    """The mail server refused the recipient (or the sender) address."""


class MailConnectionLostError(MailError):
    """The mail server closed the connection before it accepted the message."""


class CancelledError(AppError):
    """The user cancelled the operation."""


class BibTeXError(AppError):
    """A .bib file that cannot be imported."""


class CancelToken(Protocol):
    """What callers pass as ``cancel``: a :class:`threading.Event` or anything like it."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


def check_cancel(cancel: CancelToken | None) -> None:
    """Raise :class:`CancelledError` if ``cancel`` is set (call between units of work)."""
    if cancel is not None and cancel.is_set():
        raise CancelledError("Cancelled.")
