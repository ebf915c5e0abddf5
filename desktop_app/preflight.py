"""Checks made before Qt starts, so a missing display or library gets a helpful message.

Without them Qt prints "could not load the Qt platform plugin xcb" and aborts the process,
which tells a person nothing about what to install. No Qt is imported here.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

from desktop_app.errors import AppError

# Loaded by Qt's xcb plugin at run time (dlopen), so ldd does not list it.
_DLOPENED = ("libxcb-cursor.so.0",)


def debian_package(soname: str) -> str:
    """Debian's package name for a shared library: libxcb-icccm.so.4 → libxcb-icccm4."""
    m = re.match(r"(.+)\.so\.(\d+)", soname)
    if not m:
        return soname
    base, major = m.group(1).lower(), m.group(2)
    return f"{base}-{major}" if base[-1].isdigit() else f"{base}{major}"


def _pyside_dir() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent


def missing_xcb_libraries() -> list[str]:
    """Shared libraries Qt's xcb platform plugin needs and cannot find (Linux only)."""
    root = _pyside_dir()
    if root is None:
        return []
    candidates = [
        root / "Qt" / "plugins" / "platforms" / "libqxcb.so",
        root / "Qt" / "lib" / "libQt6XcbQpa.so.6",
    ]
    missing: list[str] = []
    for lib in candidates:
        if not lib.exists():
            continue
        try:
            out = subprocess.run(
                ["ldd", str(lib)], capture_output=True, text=True, timeout=10, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return []  # no ldd: let Qt try
        for line in out.splitlines():
            if "not found" in line:
                name = line.split("=>")[0].strip()
                if name not in missing:
                    missing.append(name)
    for soname in _DLOPENED:
        stem = soname.split(".so")[0].removeprefix("lib")
        if ctypes.util.find_library(stem) is None and soname not in missing:
            missing.append(soname)
    return missing


def check_gui_environment(environ: dict[str, str] | None = None) -> None:
    """Raise AppError with what to do when a window cannot be opened here."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return  # offscreen, wayland, vnc…: the user chose; Qt reports its own problems
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        raise AppError(
            "No display to open the window on (DISPLAY is not set).",
            hint="Run it in a desktop session, or use the command line: "
            "`daily-papers --help` lists the commands (fetch, list, show, tag, export…).",
        )
    if env.get("WAYLAND_DISPLAY") and not platform:
        return  # Qt prefers its Wayland plugin there
    missing = missing_xcb_libraries()
    if missing:
        packages = " ".join(debian_package(m) for m in missing)
        raise AppError(
            f"Qt cannot open a window: system libraries missing ({', '.join(missing)}).",
            hint=f"On Debian/Ubuntu: sudo apt-get install -y {packages}",
        )
