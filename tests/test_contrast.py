"""Contrast (issue 13, item 12): WCAG 2.x arithmetic, the tag palette in both themes, user
colours where they are drawn, and a theme switch re-rendering the open abstract."""

from __future__ import annotations

import colorsys
import contextlib
import itertools
import re
from collections.abc import Iterator
from datetime import date

import pytest
from ui_support import in_preferences

from desktop_app.contrast import (
    AA,
    TAG_PALETTE,
    blend,
    contrast_ratio,
    palette_color,
    palette_swatch,
    parse,
    readable,
    relative_luminance,
    tag_text_color,
    text_on,
)

LIGHT_BACKGROUNDS = ("#ffffff", "#efefef")  # Fusion's light base and window
DARK_BACKGROUNDS = ("#1f2125", "#2a2d32")  # theme.dark_palette's base and window
# Colours people pick: the olive, pure yellow, purple, white, black, a mid grey.
USER_COLOURS = ("#b3ba36", "#ffff00", "#800080", "#ffffff", "#000000", "#777777", "#3366cc")


def _hue(color: str) -> float:
    r, g, b = parse(color)
    return colorsys.rgb_to_hls(r / 255, g / 255, b / 255)[0] * 360


# --------------------------------------------------------------------------- the arithmetic


def test_luminance_and_contrast_match_wcag_values() -> None:
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("#000000") == 0.0
    assert relative_luminance("#808080") == pytest.approx(0.2159, abs=1e-4)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)  # symmetric
    assert contrast_ratio("#3366cc", "#3366cc") == pytest.approx(1.0)
    # The classic thresholds: #777 just fails AA on white, #767676 just passes.
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#0000ff", "#ffffff") == pytest.approx(8.59, abs=0.01)
    # The figures: white on #B3BA36 about 2:1, pure blue on the dark viewer 1.9:1.
    assert contrast_ratio("#ffffff", "#b3ba36") == pytest.approx(2.1, abs=0.05)
    assert contrast_ratio("#0000ff", "#1f2125") == pytest.approx(1.88, abs=0.01)
    assert parse("#abc") == parse("#AABBCC") == (0xAA, 0xBB, 0xCC)
    with pytest.raises(ValueError):
        parse("#12345")


def test_blend_is_alpha_compositing() -> None:
    assert blend("#000000", "#ffffff", 0.0) == "#ffffff"
    assert blend("#000000", "#ffffff", 1.0) == "#000000"
    assert blend("#ff0000", "#0000ff", 0.5) == "#800080"


@pytest.mark.parametrize("grey", range(0, 256, 5))
def test_black_or_white_text_always_reaches_aa(grey: int) -> None:
    background = f"#{grey:02x}{grey:02x}{grey:02x}"
    assert contrast_ratio(text_on(background), background) >= 4.58


@pytest.mark.parametrize("background", LIGHT_BACKGROUNDS + DARK_BACKGROUNDS)
@pytest.mark.parametrize("color", (*USER_COLOURS, "#e0a800", "#7fb2ff", "#0000ff"))
def test_readable_reaches_aa_keeping_the_hue(color: str, background: str) -> None:
    shaded = readable(color, background)
    assert contrast_ratio(shaded, background) >= AA
    if contrast_ratio(color, background) >= AA:
        assert shaded == color  # a readable colour is left alone
        return
    lighter = relative_luminance(shaded) > relative_luminance(color)
    assert lighter == (background in DARK_BACKGROUNDS)  # lightened on dark, darkened on light
    r, g, b = parse(color)
    if max(r, g, b) - min(r, g, b) > 20 and shaded not in ("#000000", "#ffffff"):
        assert abs(_hue(shaded) - _hue(color)) % 360 < 6 or abs(_hue(shaded) - _hue(color)) > 354


def test_readable_changes_a_colour_no_more_than_it_must() -> None:
    # One step lighter than the result no longer passes: it is the nearest readable shade.
    shaded = readable("#b3ba36", "#ffffff")
    assert contrast_ratio(shaded, "#ffffff") < 4.6
    assert readable("#777777", "#ffffff") in ("#767676", "#757575")


# --------------------------------------------------------------------------- the palette


def test_the_palette_has_twelve_distinct_hues() -> None:
    assert len(TAG_PALETTE) == 12
    hues = sorted(_hue(s.light) for s in TAG_PALETTE)
    gaps = [b - a for a, b in itertools.pairwise(hues)]
    assert min(gaps) >= 15
    assert len({s.light for s in TAG_PALETTE}) == len({s.dark for s in TAG_PALETTE}) == 12


@pytest.mark.parametrize("swatch", TAG_PALETTE, ids=lambda s: s.name)
def test_every_palette_shade_reads_as_text_and_under_text(swatch) -> None:
    for background in LIGHT_BACKGROUNDS:
        assert contrast_ratio(swatch.light, background) >= AA  # a name in the sidebar
    for background in DARK_BACKGROUNDS:
        assert contrast_ratio(swatch.dark, background) >= AA
    for fill in (swatch.light, swatch.dark):  # a chip filled with it (the abstract)
        assert contrast_ratio(text_on(fill), fill) >= AA


def test_a_tag_keeps_its_colour_between_sessions() -> None:
    # Chosen from an md5 of the name, not Python's per-process hash: the same everywhere.
    assert palette_swatch("to-read").name == "teal"
    assert palette_swatch("LLM") == palette_swatch("llm")
    assert palette_color("to-read", "#ffffff") == "#0c7567"
    assert palette_color("to-read", "#1f2125") == "#12b8a2"
    assert len({palette_swatch(f"tag{i}").name for i in range(200)}) == 12  # all are used


def test_a_user_colour_is_shaded_only_for_display() -> None:
    assert tag_text_color("x", "#b3ba36", "#ffffff") != "#b3ba36"
    assert tag_text_color("x", "#800080", "#2a2d32") != "#800080"
    assert tag_text_color("x", "#3366cc", "#ffffff") == "#3366cc"  # readable as it is


# --------------------------------------------------------------------------- in the window


def _names_covering_the_palette() -> list[str]:
    names: dict[str, str] = {}
    i = 0
    while len(names) < len(TAG_PALETTE):
        names.setdefault(palette_swatch(f"topic{i}").name, f"topic{i}")
        i += 1
    return sorted(names.values())


@pytest.fixture
def themed(qapp) -> Iterator:
    """Apply a theme by name; the application's palette and style sheet are put back after."""
    from desktop_app.ui.theme import apply_theme

    palette, sheet = qapp.palette(), qapp.styleSheet()
    yield lambda theme: apply_theme(qapp, theme)
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_tag_colour_reads_where_it_is_drawn(themed, qtbot, theme: str) -> None:
    """Palette and user colours × the sidebar, the list's chips (plain, hovered, selected)
    and the abstract's chips, in the theme's real palette."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPalette

    from desktop_app.domain import Paper, Tag
    from desktop_app.ui.abstract_view import Surface, render_paper_html
    from desktop_app.ui.feed_delegate import FeedDelegate
    from desktop_app.ui.sidebar import Sidebar, SidebarModel

    themed(theme)
    user = {f"mine{i}": color for i, color in enumerate(USER_COLOURS)}
    names = _names_covering_the_palette() + sorted(user)
    tags = [Tag(name=n, color=user.get(n)) for n in names]

    model = SidebarModel()
    sidebar = Sidebar(model)
    qtbot.addWidget(sidebar)
    model.set_tags(tags, {})
    palette = sidebar.palette()
    base = palette.color(QPalette.ColorRole.Base).name()
    assert (base in DARK_BACKGROUNDS) == (theme == "dark")
    for name in names:
        shown = model.tag_index(name).data(Qt.ItemDataRole.ForegroundRole)
        assert contrast_ratio(shown.color().name(), base) >= AA, name
    selected_text = palette.color(QPalette.ColorRole.HighlightedText).name()
    highlight = palette.color(QPalette.ColorRole.Highlight).name()
    assert contrast_ratio(selected_text, highlight) >= AA  # a selected tag's name

    delegate = FeedDelegate()
    delegate.tag_colors = {k: v for k, v in user.items()}
    for name in names:
        for selected, hover in ((False, False), (False, True), (True, False)):
            chip = delegate.chip(name, palette, selected, hover)
            assert contrast_ratio(chip.text, chip.fill) >= AA, (name, selected, hover)

    paper = Paper(
        id="2611.00001",
        title="T",
        abstract="A",
        authors=("A",),
        published=date(2026, 11, 25),
        tags=tuple(names),
        doi="10.1/x",
    )
    surface = Surface.of(palette)
    html = render_paper_html(paper, user, surface)
    chips = re.findall(r"background-color:(#[0-9a-f]{6}); color:(#[0-9a-f]{6})", html)
    assert len(chips) == len(names)
    for fill, text in chips:
        assert contrast_ratio(text, fill) >= AA
    for color in USER_COLOURS:  # the user's colour fills its chip as chosen
        assert (color, text_on(color)) in chips
    links = re.findall(r'<a href="[^"]+" style="color:(#[0-9a-f]{6})"', html)
    assert links and all(contrast_ratio(c, base) >= AA for c in links)
    muted = re.findall(r"<p style='color:(#[0-9a-f]{6})'>", html)
    assert muted and all(contrast_ratio(c, base) >= AA for c in muted)
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Window):
        placeholder = palette.color(QPalette.ColorRole.PlaceholderText).name()
        assert contrast_ratio(placeholder, palette.color(role).name()) >= AA


def _link_colours(browser) -> set[str]:
    """The colours the viewer's document really gives its links."""
    found = set()
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                found.add(fmt.foreground().color().name())
            it += 1
        block = block.next()
    return found


def choosing_theme_in_preferences(label: str) -> contextlib.AbstractContextManager[None]:
    """Answer the Preferences dialog as a person would: pick ``label`` in Theme, press OK."""
    return in_preferences(lambda d: d.theme.setCurrentIndex(d.theme.findText(label)))


def test_switching_to_dark_rerenders_the_open_abstract(themed, make_window, repo, qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPalette

    from desktop_app.domain import PaperRecord
    from desktop_app.library.views import ViewSpec

    repo.upsert_papers(
        [
            PaperRecord(
                id="2611.00001",
                title="Sparse attention",
                abstract="An abstract.",
                authors=("Ada Lovelace",),
                published=date(2026, 11, 25),
                upvotes=3,
            )
        ]
    )
    repo.tag_papers(["2611.00001"], ["vision", "to-read"])
    repo.set_tag_color("vision", "#b3ba36")
    window = make_window(repo, show=True)
    themed("light")
    window.sidebar.select_spec(ViewSpec("all"))
    window.feed.setCurrentIndex(window.feed_model.index(0))
    browser = window.viewer.browser
    assert window.viewer.paper is not None and window.viewer.paper.id == "2611.00001"
    before_html = browser.toHtml()
    assert _link_colours(browser) == {"#0000ff"}

    saved: list = []
    window._save_settings = saved.append
    with choosing_theme_in_preferences("Dark"):
        window.acts.prefs.trigger()
    assert saved[-1].theme == "dark"

    background = browser.palette().color(QPalette.ColorRole.Base).name()
    assert background == "#1f2125"
    links = _link_colours(browser)
    assert links and links != {"#0000ff"}
    assert all(contrast_ratio(c, background) >= AA for c in links)
    assert browser.toHtml() != before_html
    # The sidebar's tag names were recoloured for the dark base; the user's colour is kept.
    shown = window.sidebar_model
    vision = shown.tag_index("vision").data(Qt.ItemDataRole.ForegroundRole).color().name()
    assert (
        contrast_ratio(vision, window.sidebar.palette().color(QPalette.ColorRole.Base).name()) >= AA
    )
    to_read = shown.tag_index("to-read").data(Qt.ItemDataRole.ForegroundRole).color().name()
    assert to_read == palette_color("to-read", background)
    assert next(t.color for t in repo.tags() if t.name == "vision") == "#b3ba36"
