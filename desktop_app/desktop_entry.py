"""Daily Papers on the desktop: the launcher (a freedesktop ``.desktop`` file), the icon in the
hicolor theme, and the association that lets file managers open ``.bib`` (and ``.ris``) files
with it. Written by ``daily-papers desktop-entry install`` and by the window's first-start
offer; removed by ``desktop-entry uninstall``.

Everything goes under one prefix, the user's XDG data folder by default
(``~/.local/share``): ``applications/daily-papers.desktop``,
``icons/hicolor/{scalable,16x16,…}/apps/daily-papers.{svg,png}``. The association is added to
``mimeapps.list`` (``$XDG_CONFIG_HOME/mimeapps.list`` for the default prefix,
``PREFIX/applications/mimeapps.list`` for another) under *Added Associations*: Daily Papers is
offered in *Open With*, and a default the user chose is never changed. The desktop's caches
are refreshed with ``update-desktop-database`` and ``gtk-update-icon-cache`` where they are
installed (nothing fails without them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app import APP_NAME, APP_SLUG
from desktop_app.errors import AppError

DESKTOP_ID = f"{APP_SLUG}.desktop"
ICON_NAME = APP_SLUG
ICON_DIR = Path(__file__).resolve().parent / "icons"
ICON_SVG = ICON_DIR / f"{APP_SLUG}.svg"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
# What Daily Papers imports that shared-mime-info names: BibTeX (.bib) and RIS (.ris). JSON
# (CSL-JSON) is left out: offering to open every .json file would be wrong.
MIME_TYPES = ("text/x-bibtex", "application/x-research-info-systems")
ADDED = "Added Associations"
# Characters that make a desktop entry's Exec argument need quoting (the spec's list).
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def icon_png(size: int) -> Path:
    """The application icon as a ``size``×``size`` PNG (one of :data:`ICON_SIZES`)."""
    return ICON_DIR / f"{APP_SLUG}-{size}.png"


def _xdg_home(variable: str, default: str) -> Path:
    value = os.environ.get(variable, "")
    # The spec: a relative path in the variable is invalid and ignored.
    return Path(value) if value and os.path.isabs(value) else Path.home() / default


def default_prefix() -> Path:
    """The user's XDG data folder (``$XDG_DATA_HOME``, or ``~/.local/share``)."""
    return _xdg_home("XDG_DATA_HOME", ".local/share")


@dataclass(frozen=True)
class Layout:
    """Where the entry's files go under ``prefix``."""

    prefix: Path
    mimeapps: Path

    @classmethod
    def under(cls, prefix: Path | None) -> Layout:
        if prefix is None:
            return cls(default_prefix(), _xdg_home("XDG_CONFIG_HOME", ".config") / "mimeapps.list")
        prefix = prefix.expanduser().absolute()
        return cls(prefix, prefix / "applications" / "mimeapps.list")

    @property
    def desktop_file(self) -> Path:
        return self.prefix / "applications" / DESKTOP_ID

    @property
    def hicolor(self) -> Path:
        return self.prefix / "icons" / "hicolor"

    def icons(self) -> list[tuple[Path, Path]]:
        """(source, destination) of every icon file."""
        pairs = [(ICON_SVG, self.hicolor / "scalable" / "apps" / f"{ICON_NAME}.svg")]
        for size in ICON_SIZES:
            pairs.append(
                (icon_png(size), self.hicolor / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png")
            )
        return pairs


def launch_command(data_dir: Path | None = None) -> list[str]:
    """The command that starts Daily Papers as it is installed now: the ``daily-papers``
    script beside the running Python (a venv, pipx), else the one on ``PATH``, else
    ``python -m desktop_app``; with ``--data-dir`` when a library folder was chosen."""
    beside = Path(sys.executable).parent / APP_SLUG
    found = shutil.which(APP_SLUG)
    if beside.is_file() and os.access(beside, os.X_OK):
        command = [str(beside.absolute())]
    elif found:
        command = [str(Path(found).absolute())]
    else:
        command = [str(Path(sys.executable).absolute()), "-m", "desktop_app"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir.expanduser().absolute())]
    return command


def exec_argument(arg: str) -> str:
    """One argument of an ``Exec`` key: quoted where the spec asks, ``%`` doubled."""
    arg = arg.replace("%", "%%")
    if any(c in _RESERVED for c in arg):
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        arg = f'"{escaped}"'
    return arg


def _string_value(text: str) -> str:
    """A desktop entry ``string`` value: backslashes and control characters escaped."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def desktop_file_text(command: Sequence[str]) -> str:
    """The ``.desktop`` file that starts ``command`` with the files it is given."""
    exec_line = " ".join(exec_argument(a) for a in command) + " %F"
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.0",
        f"Name={APP_NAME}",
        "GenericName=Paper Reader",
        "Comment=Hugging Face Daily Papers and arXiv: read abstracts, keep a library, "
        "export BibTeX",
        f"Icon={ICON_NAME}",
        f"Exec={_string_value(exec_line)}",
        f"TryExec={_string_value(command[0])}",
        "Terminal=false",
        "Categories=Office;",
        "Keywords=arXiv;Hugging Face;BibTeX;papers;preprints;bibliography;citations;",
        "MimeType=" + "".join(f"{m};" for m in MIME_TYPES),
        "StartupNotify=true",
        f"StartupWMClass={APP_NAME}",  # WM_CLASS: Qt sets the class to the application name
    ]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- mimeapps.list
def _split_sections(text: str) -> list[list[str]]:
    """The file's lines grouped by section (the first group: lines before any section)."""
    groups: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip().startswith("[") and line.strip().endswith("]"):
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def _join(groups: list[list[str]]) -> str:
    lines = [line for group in groups for line in group]
    return "\n".join(lines) + "\n" if lines else ""


def add_associations(text: str, mime_types: Sequence[str], desktop_id: str = DESKTOP_ID) -> str:
    """``mimeapps.list`` text with ``desktop_id`` added for ``mime_types`` under *Added
    Associations* — after the applications already there, so their order (which one the
    desktop prefers) is kept. Every other line is left exactly as it was."""
    groups = _split_sections(text)
    section = next((g for g in groups if g and g[0].strip() == f"[{ADDED}]"), None)
    if section is None:
        if groups[-1] and groups[-1][-1].strip():
            groups[-1].append("")
        section = [f"[{ADDED}]"]
        groups.append(section)
    for mime in mime_types:
        for i, line in enumerate(section[1:], start=1):
            key, sep, value = line.partition("=")
            if sep and key.strip() == mime:
                apps = [a for a in value.strip().split(";") if a]
                if desktop_id not in apps:
                    section[i] = f"{key.strip()}={''.join(a + ';' for a in [*apps, desktop_id])}"
                break
        else:
            # Before the blank lines that end the section.
            end = len(section)
            while end > 1 and not section[end - 1].strip():
                end -= 1
            section.insert(end, f"{mime}={desktop_id};")
    return _join(groups)


def remove_associations(text: str, desktop_id: str = DESKTOP_ID) -> str:
    """``mimeapps.list`` text without ``desktop_id`` in *Added Associations* (a key left
    empty goes); everything else is kept."""
    groups = _split_sections(text)
    for group in groups:
        if not group or group[0].strip() != f"[{ADDED}]":
            continue
        kept = [group[0]]
        for line in group[1:]:
            key, sep, value = line.partition("=")
            if sep and not line.lstrip().startswith("#"):
                apps = [a for a in value.strip().split(";") if a]
                if desktop_id in apps:
                    apps.remove(desktop_id)
                    if not apps:
                        continue
                    line = f"{key.strip()}={''.join(a + ';' for a in apps)}"
            kept.append(line)
        # A section left with nothing in it goes (it was ours).
        group[:] = kept if any(line.strip() for line in kept[1:]) else []
    while groups and groups[-1] and not groups[-1][-1].strip():
        groups[-1].pop()
    return _join(groups)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ----------------------------------------------------------------------------- install
@dataclass
class EntryReport:
    """What an install or uninstall did: the files written or removed, and the desktop
    tools run (or why not)."""

    layout: Layout
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    installed: bool = True
    changes_library: bool = False  # for the window's job runner

    def describe(self) -> str:
        if self.installed:
            return f"{APP_NAME} is in the application menu ({self.layout.desktop_file})."
        return f"{APP_NAME} was removed from the application menu ({len(self.files)} files)."


def _refresh_caches(layout: Layout) -> list[str]:
    """Run the desktop's cache tools where they exist; what happened, one line each."""
    notes = []
    for tool, args in (
        ("update-desktop-database", ["-q", str(layout.prefix / "applications")]),
        ("gtk-update-icon-cache", ["-q", "-t", "-f", str(layout.hicolor)]),
    ):
        path = shutil.which(tool)
        if path is None:
            notes.append(f"{tool} is not installed (not needed; the desktop rereads the files)")
            continue
        try:
            done = subprocess.run(
                [path, *args], capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, subprocess.SubprocessError) as exc:
            notes.append(f"{tool} did not run: {exc}")
            continue
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            notes.append(f"{tool} failed: {detail[-1] if detail else done.returncode}")
        else:
            notes.append(f"ran {tool}")
    return notes


def _fail(exc: OSError, what: str) -> AppError:
    return AppError(
        f"Cannot {what}: {exc.strerror or exc} ({exc.filename or ''}).",
        hint="Choose a folder you can write to with --prefix.",
    )


def install(prefix: Path | None = None, command: Sequence[str] | None = None) -> EntryReport:
    """Write the launcher, the icons and the association (see the module's docstring)."""
    layout = Layout.under(prefix)
    report = EntryReport(layout)
    try:
        _write_atomically(layout.desktop_file, desktop_file_text(command or launch_command()))
        report.files.append(layout.desktop_file)
        for source, target in layout.icons():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            report.files.append(target)
        current = layout.mimeapps.read_text(encoding="utf-8") if layout.mimeapps.exists() else ""
        updated = add_associations(current, MIME_TYPES)
        if updated != current:
            _write_atomically(layout.mimeapps, updated)
        report.files.append(layout.mimeapps)
    except OSError as exc:
        raise _fail(exc, "install the application menu entry") from exc
    except UnicodeDecodeError as exc:
        raise AppError(
            f"{layout.mimeapps} is not UTF-8 text; it was left as it was.",
            hint="Fix or move the file, then install again.",
        ) from exc
    report.notes = _refresh_caches(layout)
    return report


def uninstall(prefix: Path | None = None) -> EntryReport:
    """Remove what :func:`install` wrote (a user's other associations stay)."""
    layout = Layout.under(prefix)
    report = EntryReport(layout, installed=False)
    try:
        for path in [layout.desktop_file, *(target for _, target in layout.icons())]:
            if path.exists():
                path.unlink()
                report.files.append(path)
        if layout.mimeapps.exists():
            current = layout.mimeapps.read_text(encoding="utf-8")
            updated = remove_associations(current)
            if not updated.strip():
                layout.mimeapps.unlink()  # nothing but what install wrote
                report.files.append(layout.mimeapps)
            elif updated != current:
                _write_atomically(layout.mimeapps, updated)
                report.files.append(layout.mimeapps)
    except OSError as exc:
        raise _fail(exc, "remove the application menu entry") from exc
    except UnicodeDecodeError as exc:
        raise AppError(f"{layout.mimeapps} is not UTF-8 text; it was left as it was.") from exc
    report.notes = _refresh_caches(layout)
    return report


def is_installed(prefix: Path | None = None) -> bool:
    return Layout.under(prefix).desktop_file.exists()


@dataclass(frozen=True)
class InstallDesktopEntry:
    """The window's job: :func:`install` off the GUI thread (the cache tools take a moment)."""

    command: tuple[str, ...] | None = None
    prefix: Path | None = None
    title: str = "Adding Daily Papers to the application menu"

    def run(self, ctx: object) -> EntryReport:
        return install(self.prefix, self.command)
