"""The ``daily-papers`` command.

With no sub-command it opens the window; the sub-commands do the same work headless, through
the same services. Errors a person can cause print one line to stderr and exit 1; a command
line argparse cannot read exits 2, a bug 70 (see :mod:`desktop_app.cli.context`).

The package: :mod:`parser` (the grammar), :mod:`context` (what every command shares),
:mod:`output` (tables, text and JSON), and one module per group of commands:
:mod:`library`, :mod:`maintenance`, :mod:`network`, :mod:`bibtex`, :mod:`digest`.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Sequence

from desktop_app.cli.context import (
    EXIT_BUG,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Context,
)
from desktop_app.cli.output import paper_json
from desktop_app.cli.parser import (
    build_parser,
    cmd_gui,
    papers_open_the_window,
    undecodable,
    values_starting_with_a_dash,
)
from desktop_app.errors import AppError
from desktop_app.safetext import for_terminal

__all__ = ["build_parser", "main", "paper_json"]


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    bad = undecodable(args_in)
    if bad is not None:
        shown = bad.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
        print(
            f"daily-papers: error: the argument {shown!r} is not valid UTF-8 text. "
            "Check your terminal's character encoding (LANG=C.UTF-8 or similar).",
            file=sys.stderr,
        )
        return EXIT_ERROR
    parser = build_parser()
    args_in = papers_open_the_window(parser, args_in)
    args = parser.parse_args(values_starting_with_a_dash(parser, args_in))
    debug = getattr(args, "debug", False) or bool(os.environ.get("DAILY_PAPERS_DEBUG"))
    # Libraries log their own diagnostics (e.g. charset detection); the user
    # gets our one-line message instead, and the details with --debug.
    logging.basicConfig(level=logging.DEBUG if debug else logging.CRITICAL, format="%(message)s")
    handler = getattr(args, "handler", cmd_gui)
    ctx: Context | None = None
    try:
        ctx = Context(args)
        code = handler(ctx)
        ctx.keep_exports_current()
        return code
    except AppError as exc:
        print(f"daily-papers: error: {for_terminal(exc)}", file=sys.stderr)
        if ctx is not None:  # what the command did before it failed is in the library
            try:
                ctx.keep_exports_current()
            except AppError as more:
                print(f"daily-papers: warning: {for_terminal(more)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("daily-papers: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `daily-papers list | head`: the reader went away; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug: one line unless --debug
        if debug:
            traceback.print_exc()
        print(
            f"daily-papers: internal error: {type(exc).__name__}: {for_terminal(exc)} "
            "(this is a bug; rerun with --debug and report the traceback)",
            file=sys.stderr,
        )
        return EXIT_BUG
    finally:
        if ctx is not None:
            ctx.close()
