"""Issue 18, item 1 (no Qt): the application menu's launcher, the icon in the hicolor theme,
the ``.bib`` association, and ``daily-papers desktop-entry install|uninstall``."""

from __future__ import annotations

import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from desktop_app import desktop_entry
from desktop_app.cli import main
from desktop_app.desktop_entry import (
    ICON_SIZES,
    ICON_SVG,
    MIME_TYPES,
    add_associations,
    desktop_file_text,
    exec_argument,
    icon_png,
    install,
    uninstall,
)

ROOT = Path(__file__).resolve().parents[1]
VALIDATOR = shutil.which("desktop-file-validate")
needs_validator = pytest.mark.skipif(VALIDATOR is None, reason="desktop-file-utils missing")


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def validate(path: Path) -> str:
    """desktop-file-validate's complaints (errors and warnings; hints are advice)."""
    assert VALIDATOR is not None
    done = subprocess.run([VALIDATOR, str(path)], capture_output=True, text=True, check=False)
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if "hint:" not in line]
    assert (done.returncode == 0) == (not complaints), done
    return "\n".join(complaints)


def entry_keys(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The user's XDG data and config folders, in tmp_path."""
    data, config = tmp_path / "xdg-data", tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    return data, config


# ----------------------------------------------------------------------------- the icon
def test_the_icon_is_an_svg_with_every_png_size_shipped_as_package_data() -> None:
    root = ET.parse(ICON_SVG).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"
    for size in ICON_SIZES:
        assert png_size(icon_png(size)) == (size, size)
    # Found after `pip install`: the files are inside the package, declared as its data.
    assert ICON_SVG.parent == ROOT / "desktop_app" / "icons"
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["desktop_app"]
    shipped = {p for g in globs for p in (ROOT / "desktop_app").glob(g)}
    assert {ICON_SVG, *(icon_png(s) for s in ICON_SIZES)} <= shipped


# ----------------------------------------------------------------------------- the files
@needs_validator
def test_install_writes_a_valid_launcher_the_icons_and_the_association(tmp_path: Path) -> None:
    prefix = tmp_path / "share"
    command = ["/opt/daily papers/bin/daily-papers", "--data-dir", "/home/me/100% $library"]
    report = install(prefix, command)
    desktop = prefix / "applications" / "daily-papers.desktop"
    assert desktop in report.files
    assert validate(desktop) == ""
    keys = entry_keys(desktop)
    assert keys["Name"] == "Daily Papers" and keys["Type"] == "Application"
    assert keys["Icon"] == "daily-papers" and keys["Terminal"] == "false"
    assert keys["MimeType"] == "text/x-bibtex;application/x-research-info-systems;"
    # Quoted as the spec asks (space, $, %), the files it opens at the end.
    assert keys["Exec"] == (
        r'"/opt/daily papers/bin/daily-papers" --data-dir "/home/me/100%% \\$library" %F'
    )
    assert keys["TryExec"] == "/opt/daily papers/bin/daily-papers"
    hicolor = prefix / "icons" / "hicolor"
    assert (hicolor / "scalable" / "apps" / "daily-papers.svg").read_bytes() == (
        ICON_SVG.read_bytes()
    )
    for size in ICON_SIZES:
        assert png_size(hicolor / f"{size}x{size}" / "apps" / "daily-papers.png") == (size, size)
    mimeapps = prefix / "applications" / "mimeapps.list"
    assert mimeapps.read_text(encoding="utf-8") == (
        "[Added Associations]\n"
        "text/x-bibtex=daily-papers.desktop;\n"
        "application/x-research-info-systems=daily-papers.desktop;\n"
    )


@needs_validator
def test_the_launcher_starts_this_installation(tmp_path: Path) -> None:
    """The default command is the daily-papers script beside this Python (a venv, pipx),
    and the file it gives is valid whatever the path."""
    command = desktop_entry.launch_command()
    assert Path(command[0]).is_absolute()
    assert command[0].endswith("daily-papers") or command[1:] == ["-m", "desktop_app"]
    assert desktop_entry.launch_command(tmp_path / "lib")[-2:] == [
        "--data-dir",
        str(tmp_path / "lib"),
    ]
    path = tmp_path / "x.desktop"
    for odd in ('/a "quoted" path', "/back\\slash", "/tab\there", "/semi;colon`tick`"):
        path.write_text(desktop_file_text([odd, "--data-dir", odd]), encoding="utf-8")
        assert validate(path) == "", odd


def test_exec_arguments_are_quoted_as_the_spec_says() -> None:
    assert exec_argument("/usr/bin/daily-papers") == "/usr/bin/daily-papers"
    assert exec_argument("/a b") == '"/a b"'
    assert exec_argument('/say "hi"') == r'"/say \"hi\""'
    assert exec_argument("/cost$") == r'"/cost\$"'
    assert exec_argument("/50%") == "/50%%"
    assert exec_argument("/back\\slash") == r'"/back\\slash"'


def test_by_default_it_goes_to_the_users_xdg_folders(xdg: tuple[Path, Path]) -> None:
    data, config = xdg
    assert not desktop_entry.is_installed()
    report = install(command=["/usr/bin/daily-papers"])
    assert report.layout.desktop_file == data / "applications" / "daily-papers.desktop"
    assert (data / "icons/hicolor/48x48/apps/daily-papers.png").exists()
    assert "text/x-bibtex=daily-papers.desktop;" in (config / "mimeapps.list").read_text()
    assert desktop_entry.is_installed()
    removed = uninstall()
    assert not desktop_entry.is_installed()
    assert not (config / "mimeapps.list").exists()  # it held only what install wrote
    assert report.layout.desktop_file in removed.files


USERS_MIMEAPPS = """# my choices
[Default Applications]
text/x-bibtex=org.jabref.jabref.desktop;

[Added Associations]
text/x-bibtex=org.jabref.jabref.desktop;emacs.desktop;
image/png=org.gnome.eog.desktop;

[Removed Associations]
text/plain=libreoffice-writer.desktop;
"""


def test_a_users_defaults_and_associations_are_kept(xdg: tuple[Path, Path]) -> None:
    _, config = xdg
    config.mkdir()
    mimeapps = config / "mimeapps.list"
    mimeapps.write_text(USERS_MIMEAPPS, encoding="utf-8")
    install(command=["/usr/bin/daily-papers"])
    text = mimeapps.read_text(encoding="utf-8")
    # The default stays JabRef's; Daily Papers comes after the applications already there.
    assert "[Default Applications]\ntext/x-bibtex=org.jabref.jabref.desktop;\n" in text
    assert "text/x-bibtex=org.jabref.jabref.desktop;emacs.desktop;daily-papers.desktop;\n" in text
    assert "application/x-research-info-systems=daily-papers.desktop;" in text
    assert "image/png=org.gnome.eog.desktop;" in text and text.startswith("# my choices\n")
    install(command=["/usr/bin/daily-papers"])  # again: nothing added twice
    assert mimeapps.read_text(encoding="utf-8") == text
    uninstall()
    assert mimeapps.read_text(encoding="utf-8") == USERS_MIMEAPPS


def test_association_edits_leave_every_other_line_alone() -> None:
    assert add_associations("", MIME_TYPES).startswith("[Added Associations]\n")
    text = "[Default Applications]\nx/y=a.desktop;\n"
    assert add_associations(text, ["x/y"]) == (
        "[Default Applications]\nx/y=a.desktop;\n\n[Added Associations]\n"
        "x/y=daily-papers.desktop;\n"
    )


def test_nothing_fails_without_the_desktop_tools(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    report = install(tmp_path / "share", ["/usr/bin/daily-papers"])
    assert (tmp_path / "share/applications/daily-papers.desktop").exists()
    assert any("update-desktop-database is not installed" in n for n in report.notes)
    assert any("gtk-update-icon-cache is not installed" in n for n in report.notes)
    assert uninstall(tmp_path / "share").files


@pytest.mark.skipif(shutil.which("update-desktop-database") is None, reason="no tool")
def test_the_desktop_database_lists_the_bib_association(tmp_path: Path) -> None:
    install(tmp_path / "share", ["/usr/bin/daily-papers"])
    cache = (tmp_path / "share/applications/mimeinfo.cache").read_text(encoding="utf-8")
    assert "text/x-bibtex=daily-papers.desktop;" in cache


# ----------------------------------------------------------------------------- the command
def test_the_command_installs_and_uninstalls(data_dir: Path, tmp_path: Path, capsys) -> None:
    prefix = tmp_path / "prefix"
    assert main(["desktop-entry", "install", "--prefix", str(prefix)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Installed {prefix}/applications/daily-papers.desktop\n")
    assert "--data-dir" not in entry_keys(prefix / "applications/daily-papers.desktop")["Exec"]
    # A library chosen on the command line is the one the launcher opens.
    chosen = tmp_path / "other library"
    assert (
        main(["--data-dir", str(chosen), "desktop-entry", "install", "--prefix", str(prefix)]) == 0
    )
    exec_line = entry_keys(prefix / "applications/daily-papers.desktop")["Exec"]
    assert f'--data-dir "{chosen}" %F' in exec_line
    capsys.readouterr()
    assert main(["desktop-entry", "uninstall", "--prefix", str(prefix)]) == 0
    assert capsys.readouterr().out.startswith("Removed 10 files under")
    assert not (prefix / "applications/daily-papers.desktop").exists()
    assert main(["desktop-entry", "uninstall", "--prefix", str(prefix)]) == 0
    assert capsys.readouterr().out.startswith("Nothing to remove under")


def test_a_prefix_that_cannot_be_written_is_one_clear_line(
    data_dir: Path, tmp_path: Path, capsys
) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    assert main(["desktop-entry", "install", "--prefix", str(blocked)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("daily-papers: error: Cannot install the application menu entry")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit) as exit_:
        main(["desktop-entry", "bogus"])
    assert exit_.value.code == 2
