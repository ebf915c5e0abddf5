"""Helpers for command-line tests."""

from __future__ import annotations

import io
import sys

import pytest


class _Stdin:
    """Standard input as the command sees it: ``sys.stdin.buffer`` holding raw bytes."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    """Make ``data`` (any bytes, UTF-8 or not) the next command's standard input."""
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
