"""Readable colours: WCAG 2.x contrast, and the tag palette that meets it in both themes.

Pure arithmetic on ``#rrggbb`` strings (no Qt), so every rule here is tested without a window.

* :func:`contrast_ratio` is WCAG 2.x's ``(L1 + 0.05) / (L2 + 0.05)`` over relative luminance;
  AA asks 4.5:1 for text (:data:`AA`).
* :func:`readable` moves a colour's lightness, keeping its hue and saturation, until it reaches
  a contrast against a background: darker on a light background, lighter on a dark one.
* :data:`TAG_PALETTE` holds twelve hues, each in a light-theme and a dark-theme shade; a tag
  without a colour of its own gets one chosen from its name (:func:`palette_color`), so it keeps
  it between sessions. Every shade reads at 4.5:1 as text on its theme's backgrounds, and black
  or white text (:func:`text_on`) reads at 4.5:1 on it.
"""

from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass

AA = 4.5  # WCAG 2.x level AA, normal text

RGB = tuple[int, int, int]


def parse(color: str) -> RGB:
    """``#rrggbb`` or ``#rgb`` (any case) as three 0–255 ints; ValueError otherwise."""
    text = color.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) != 6:
        raise ValueError(f"{color!r} is not a #rrggbb colour")
    value = int(text, 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


def to_hex(rgb: tuple[float, float, float]) -> str:
    """``#rrggbb`` (lower case) for three 0–255 ints (clamped)."""
    r, g, b = (max(0, min(255, round(c))) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """WCAG 2.x relative luminance: 0 for black, 1 for white."""
    r, g, b = parse(color)
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two colours, 1 (same) to 21 (black and white); symmetric."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def blend(color: str, background: str, alpha: float) -> str:
    """``color`` painted with opacity ``alpha`` over an opaque ``background`` (sRGB, as Qt
    composites)."""
    (r, g, b), (br, bg, bb) = parse(color), parse(background)
    return to_hex(
        (r * alpha + br * (1 - alpha), g * alpha + bg * (1 - alpha), b * alpha + bb * (1 - alpha))
    )


def is_dark(background: str) -> bool:
    """True when white text contrasts more with ``background`` than black text does."""
    return contrast_ratio(background, "#ffffff") > contrast_ratio(background, "#000000")


def text_on(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (never below 4.58:1)."""
    return "#ffffff" if is_dark(background) else "#000000"


def _with_lightness(color: str, lightness: float) -> str:
    r, g, b = parse(color)
    h, _l, s = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
    rr, gg, bb = colorsys.hls_to_rgb(h, lightness, s)
    return to_hex((rr * 255, gg * 255, bb * 255))


def readable(color: str, background: str, minimum: float = AA) -> str:
    """``color``, or the nearest shade of its hue (same HSL hue and saturation) that reaches
    ``minimum`` contrast against ``background``: darkened on a light background, lightened on a
    dark one. Where no shade can (a mid-grey background and a high minimum) the extreme is
    returned, black or white, which is the best there is."""
    color = to_hex(parse(color))
    if contrast_ratio(color, background) >= minimum:
        return color
    r, g, b = parse(color)
    lightness = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)[1]
    darken = not is_dark(background)
    # Search the lightness between the colour's own and the extreme (0 or 1) for the shade
    # closest to the original that still passes, checking the rounded colour itself.
    near, far = lightness, (0.0 if darken else 1.0)
    best = _with_lightness(color, far)
    if contrast_ratio(best, background) < minimum:
        return best
    for _ in range(24):
        mid = (near + far) / 2
        candidate = _with_lightness(color, mid)
        if contrast_ratio(candidate, background) >= minimum:
            far, best = mid, candidate
        else:
            near = mid
    return best


# --------------------------------------------------------------------------- the tag palette


@dataclass(frozen=True)
class Swatch:
    """One hue of the tag palette: its shade for light backgrounds and for dark ones."""

    name: str
    light: str
    dark: str


# Twelve hues about 30° apart: the light shade at ≥ 4.8:1 against the light theme's base and
# window (#ffffff, #efefef), the dark shade at ≥ 5.5:1 against the dark theme's (#1f2125,
# #2a2d32). So tag names read as text there, and black or white text reads on them
# (tests/test_contrast.py checks every pair).
TAG_PALETTE: tuple[Swatch, ...] = (
    Swatch("red", "#c52e2e", "#e48b8b"),
    Swatch("orange", "#ab4d0e", "#f08944"),
    Swatch("amber", "#886200", "#d59900"),
    Swatch("olive", "#606f00", "#97ae00"),
    Swatch("green", "#2a7723", "#41bb36"),
    Swatch("teal", "#0c7567", "#12b8a2"),
    Swatch("cyan", "#057195", "#08b0e7"),
    Swatch("blue", "#2467bf", "#77a7e5"),
    Swatch("indigo", "#5a5acf", "#9d9de3"),
    Swatch("violet", "#844bc6", "#b795de"),
    Swatch("magenta", "#aa36a6", "#d987d6"),
    Swatch("pink", "#c12968", "#e587ae"),
)


def palette_swatch(name: str) -> Swatch:
    """The palette entry of a tag without a colour of its own: chosen from its name (case
    ignored), so it is the same in every session and on every machine."""
    digest = hashlib.md5(name.casefold().encode(), usedforsecurity=False).digest()
    return TAG_PALETTE[int.from_bytes(digest[:4], "big") % len(TAG_PALETTE)]


def palette_color(name: str, background: str) -> str:
    """The palette shade of tag ``name`` for a theme whose background is ``background``."""
    swatch = palette_swatch(name)
    return swatch.dark if is_dark(background) else swatch.light


def tag_color(name: str, explicit: str | None, background: str) -> str:
    """The colour a tag is drawn in over ``background``: the user's colour as chosen, else its
    palette shade for that background. Not yet adjusted for text: see :func:`tag_text_color`."""
    if explicit:
        try:
            return to_hex(parse(explicit))
        except ValueError:
            pass
    return palette_color(name, background)


def tag_text_color(name: str, explicit: str | None, background: str) -> str:
    """The colour of a tag's name written in its colour on ``background`` (the sidebar): its
    colour, shaded if need be to read at 4.5:1 there. The user's choice itself is kept."""
    return readable(tag_color(name, explicit, background), background)


@dataclass(frozen=True)
class Chip:
    """How a tag chip is painted: outline, fill and label colours (all ``#rrggbb``)."""

    border: str
    fill: str
    text: str


def solid_chip(name: str, explicit: str | None, background: str) -> Chip:
    """A chip filled with the tag's colour (the abstract viewer): the user's colour as chosen
    or the palette shade for ``background``, labelled in black or white, whichever reads."""
    fill = tag_color(name, explicit, background)
    return Chip(border=fill, fill=fill, text=text_on(fill))


def tinted_chip(
    name: str, explicit: str | None, background: str, text: str, alpha: float = 0.22
) -> Chip:
    """A chip washed with the tag's colour at ``alpha`` over ``background`` (the paper list):
    labelled in the theme's ``text`` colour when that reads at 4.5:1 on the wash, else in black
    or white; outlined in the tag's colour shaded to show on ``background``."""
    color = tag_color(name, explicit, background)
    fill = blend(color, background, alpha)
    label = text if contrast_ratio(text, fill) >= AA else text_on(fill)
    return Chip(border=readable(color, background, 3.0), fill=fill, text=label)
