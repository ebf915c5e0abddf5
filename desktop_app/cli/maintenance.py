"""Commands that look after the library itself: backup, check, repair."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_app.cli.context import EXIT_ERROR, EXIT_OK, AddCommand, Context
from desktop_app.config import db_path


def cmd_backup(ctx: Context) -> int:
    from desktop_app.library import backups

    if ctx.args.file is not None:
        path = backups.backup_library(ctx.repo, ctx.args.file, force=ctx.args.force)
    else:
        path = backups.take_manual_backup(ctx.repo)
    ctx.out.write(f"Library backed up to {path}\n")
    return EXIT_OK


def cmd_check(ctx: Context) -> int:
    from desktop_app.store.health import check_library

    path = db_path(ctx.data_dir)
    problems = check_library(path, quick=ctx.args.quick)
    if not problems:
        ctx.out.write(f"{path}: no problems found.\n")
        return EXIT_OK
    for problem in problems:
        ctx.out.write(f"{path}: {problem}\n")
    ctx.err.write("Run `daily-papers repair` to fix what can be fixed.\n")
    return EXIT_ERROR


def cmd_repair(ctx: Context) -> int:
    from desktop_app.store import health

    path = db_path(ctx.data_dir)
    if ctx.args.restore is not None:
        aside = health.restore_backup(path, ctx.args.restore)
        ctx.out.write(
            f"Restored {ctx.args.restore} as the library; the previous file was kept as "
            f"{aside.name}.\n"
        )
        return EXIT_OK
    report = health.repair_library(path)
    for line in report.done:
        ctx.out.write(f"Repair: {line}.\n")
    if report.healthy:
        ctx.out.write(f"{path}: no problems found.\n")
        return EXIT_OK
    for problem in report.problems:
        ctx.out.write(f"{path}: {problem}\n")
    good = health.good_backups(path)
    if good:
        ctx.err.write(
            "This cannot be repaired in place. The newest good backup is "
            f"{good[0]}. To go back to it, close the window and run:\n"
            f"  daily-papers repair --restore '{good[0]}'\n"
            "(the damaged library is kept beside it, and changes since that backup are lost).\n"
        )
    else:
        ctx.err.write(
            "This cannot be repaired in place, and there is no good backup in "
            f"{path.parent / 'backups'}. Keep a copy of the file as it is; `daily-papers "
            "export` may still read the papers that are not damaged.\n"
        )
    return EXIT_ERROR


def register(add: AddCommand, common: argparse.ArgumentParser) -> None:
    p = add("backup", "write a consistent copy of the library", cmd_backup)
    p.add_argument("file", nargs="?", type=Path, help="where (default: the data folder's backups/)")
    p.add_argument(
        "--force", action="store_true", help="replace FILE even if it is not a library copy"
    )

    p = add("check", "check the library for damage (one line per problem)", cmd_check)
    p.add_argument("--quick", action="store_true", help="skip comparing indexes with tables")

    p = add("repair", "rebuild what can be rebuilt, or restore a backup", cmd_repair)
    p.add_argument(
        "--restore",
        type=Path,
        metavar="BACKUP",
        help="replace the library with BACKUP (the old file is kept beside it)",
    )
