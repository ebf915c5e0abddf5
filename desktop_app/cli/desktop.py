"""``daily-papers desktop-entry install|uninstall [--prefix DIR]``: the application menu's
launcher, the icon and the ``.bib`` association (see :mod:`desktop_app.desktop_entry`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_app.cli.context import EXIT_OK, AddCommand, Context


def cmd_desktop_entry(ctx: Context) -> int:
    from desktop_app import desktop_entry

    prefix = Path(ctx.args.prefix) if ctx.args.prefix else None
    if ctx.args.action == "install":
        # A library chosen with --data-dir is the one the launcher opens.
        chosen = getattr(ctx.args, "data_dir", None)
        command = desktop_entry.launch_command(ctx.data_dir if chosen else None)
        report = desktop_entry.install(prefix, command)
        ctx.out.write(f"Installed {report.layout.desktop_file}\n")
        ctx.out.write(f"  icon: {report.layout.hicolor} ({len(report.files) - 2} files)\n")
        ctx.out.write(f"  opens .bib and .ris files: {report.layout.mimeapps}\n")
        ctx.out.write(f"  starts: {' '.join(command)}\n")
    else:
        report = desktop_entry.uninstall(prefix)
        if report.files:
            ctx.out.write(f"Removed {len(report.files)} files under {report.layout.prefix}\n")
        else:
            ctx.out.write(f"Nothing to remove under {report.layout.prefix}\n")
    for note in report.notes:
        ctx.err.write(f"  {note}\n")
    return EXIT_OK


def register(add: AddCommand, common: argparse.ArgumentParser) -> None:
    p = add(
        "desktop-entry",
        "add Daily Papers to the desktop's application menu, with its icon and the .bib "
        "association (or remove it)",
        cmd_desktop_entry,
    )
    p.add_argument("action", choices=["install", "uninstall"])
    p.add_argument(
        "--prefix",
        metavar="DIR",
        help="where the applications/ and icons/ folders are (default: $XDG_DATA_HOME, "
        "~/.local/share)",
    )
