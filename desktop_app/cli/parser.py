"""The command line's grammar: every command, and the argv clean-ups argparse needs."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from desktop_app import __version__
from desktop_app.cli import (
    bibtex,
    desktop,
    digest,
    follow,
    library,
    maintenance,
    network,
    pdf,
    recommend,
)
from desktop_app.cli.context import Context, Handler
from desktop_app.errors import InvalidInputError
from desktop_app.sources.ids import parse_paper_ref


def cmd_gui(ctx: Context) -> int:
    """Open the window (the default when no command is given), adding the papers given and
    previewing the bibliographies given; a window already open on the library takes them
    instead (see :mod:`desktop_app.ui.single`)."""
    from desktop_app.app import run_gui
    from desktop_app.library.handoff import Refused, classify_arguments

    given = classify_arguments([str(a) for a in getattr(ctx.args, "papers", None) or []])
    # Refused before any window, saying what works.
    refused = [*given.refused]
    refused += [
        Refused(str(p), "a PDF is attached by dropping it onto a paper") for p in given.pdfs
    ]
    if refused:
        first = refused[0]
        raise InvalidInputError(f"{first.item}: {first.reason}.")
    return run_gui(ctx.data_dir, list(given.refs), [str(p) for p in given.bibliographies])


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="library folder (default: $DAILY_PAPERS_HOME or the platform's data folder)",
    )
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )

    parser = argparse.ArgumentParser(
        prog="daily-papers",
        description="Hugging Face Daily Papers and arXiv on the desktop. "
        "Without a command, opens the window.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_: str, handler: Handler) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_, parents=[common])
        p.set_defaults(handler=handler)
        return p

    gui = add("gui", "open the window (the default), adding the papers given", cmd_gui)
    gui.add_argument(
        "papers",
        nargs="*",
        metavar="ID_URL_OR_FILE",
        help="arXiv ids or arxiv.org / huggingface.co links to add, or bibliographies (.bib, "
        ".ris, .json) to import with a preview (in the window already open, if there is one)",
    )
    for group in (library, maintenance, network, bibtex, follow, digest, recommend, desktop, pdf):
        group.register(add, common)
    return parser


def papers_open_the_window(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``daily-papers 2401.00001 URL`` as ``daily-papers gui 2401.00001 URL``: papers given
    without a command open the window with them. Only a first word that is no command and
    looks like a paper (a valid id or link, or anything with a digit or a ``/``, which
    ``gui`` then checks) is taken so; ``daily-papers lsit`` is still argparse's error."""
    commands: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            commands.update(action.choices)
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--data-dir":
            i += 2
            continue
        if arg.startswith("-") and arg != "-":
            i += 1
            continue
        if arg in commands or not _looks_like_a_paper(arg):
            return argv
        return [*argv[:i], "gui", *argv[i:]]
    return argv


def _looks_like_a_paper(text: str) -> bool:
    from desktop_app.library.handoff import looks_like_a_file

    if looks_like_a_file(text):
        return True
    try:
        parse_paper_ref(text)
    except InvalidInputError:
        return "/" in text or any(c.isdigit() for c in text)
    return True


def undecodable(argv: Sequence[str]) -> str | None:
    """The first argument that was not valid UTF-8 (Python keeps such bytes as surrogates)."""
    for arg in argv:
        if any(0xDC80 <= ord(c) <= 0xDCFF for c in arg):
            return arg
    return None


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    found: set[str] = set()
    for action in parser._actions:
        found.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _option_strings(sub)
    return found


def values_starting_with_a_dash(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``--query -model`` as ``--query=-model``: argparse would take ``-model`` (the documented
    way to exclude a word) for an unknown option. Only a value that is no option is joined."""
    known = _option_strings(parser)
    takes_value = {
        s
        for a in _all_actions(parser)
        if a.option_strings and a.nargs is None and not isinstance(a, _FLAG_ACTIONS)
        for s in a.option_strings
    }
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if (
            arg in takes_value
            and nxt is not None
            and nxt.startswith("-")
            and nxt != "-"
            and nxt.split("=", 1)[0] not in known
        ):
            long = arg if arg.startswith("--") else _long_form(parser, arg)
            out.append(f"{long}={nxt}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


_FLAG_ACTIONS = (
    argparse._StoreTrueAction,
    argparse._StoreFalseAction,
    argparse._StoreConstAction,
    argparse._CountAction,
    argparse._HelpAction,
    argparse._VersionAction,
)


def _all_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    actions = list(parser._actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                actions += _all_actions(sub)
    return actions


def _long_form(parser: argparse.ArgumentParser, short: str) -> str:
    for action in _all_actions(parser):
        if short in action.option_strings:
            longs = [s for s in action.option_strings if s.startswith("--")]
            if longs:
                return longs[0]
    return short
