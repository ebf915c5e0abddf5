"""Where the window is: which view, which day (week, month), which sort, what is searched.

The toolbar's navigation widgets (date, span, sort, search box and its scope) belong here; the
rules that turn their state into a feed query live in :mod:`desktop_app.library.views`, and the
navigator only keeps the state and says when the view must change.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QEvent, QObject, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QFont, QKeyEvent, QTextCharFormat
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolBar,
    QWidget,
)

from desktop_app.domain import FeedQuery, Sort
from desktop_app.library import views
from desktop_app.library.pdf_jobs import FulltextFound
from desktop_app.library.views import ViewSpec, ViewState
from desktop_app.store import Repository
from desktop_app.ui.ask import rich_safe

SORT_LABELS = (
    ("Rank", Sort.RANK),
    ("Newest", Sort.DATE),
    ("Most upvoted", Sort.UPVOTES),
    ("Relevance", Sort.RELEVANCE),
)
MODES = (("Day", "day"), ("Week", "week"), ("Month", "month"))
FOR_YOU = "for-you"
SEARCH_MIN_WIDTH = 140
# The Hugging Face button's label, longest first: with the search text (level 0), without
# it, and short (fit_toolbar picks the first that fits).
HF_LABELS = ("Search Hugging Face", "Search Hugging Face", "Search HF")


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


class Navigator(QObject):
    """The window's position and the toolbar widgets that move it.

    Signals:
        viewRequested(object): show this ViewSpec (the date, span, sort or search changed).
        selectRequested(object): select this ViewSpec in the sidebar (which then shows it).
        remoteSearchRequested(str): search Hugging Face for this text.
        searchLeft(): Enter, ↓ or Esc in the search box: the keys go back to the list.
        forYouRequested(): the sort *For you* was chosen (the interest model ranks the view).
        fulltextRequested(str): search the text of the cached PDFs for this (the scope *Full
            text*); the answer comes back through :meth:`set_fulltext`.
    """

    viewRequested = Signal(object)
    selectRequested = Signal(object)
    remoteSearchRequested = Signal(str)
    searchLeft = Signal()
    forYouRequested = Signal()
    fulltextRequested = Signal(str)

    def __init__(self, repo: Repository, day: date, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.repo = repo
        self.day = day
        self.mode = "day"
        self.spec = ViewSpec("daily")
        self.previous_spec = self.spec
        self.sorts: dict[str, Sort] = {}
        self._unscoped = False
        self._quiet = False  # the window is emptying the box: no search
        # The scope "Full text": the text searched and the papers found (best first).
        self.fulltext: FulltextFound | None = None

        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("dateEdit")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("modeCombo")
        for label, mode in MODES:
            self.mode_combo.addItem(label, mode)
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("sortCombo")
        for label, sort in SORT_LABELS:
            self.sort_combo.addItem(label, sort.value)
        # Not a store order: the interest model ranks the view's papers (library.recommend).
        self.sort_combo.addItem("For you", FOR_YOU)
        self.sort_combo.setItemData(
            len(SORT_LABELS),
            "Ranked by what you tag, star and save (private: learned on this computer)",
            Qt.ItemDataRole.ToolTipRole,
        )
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Search the library…  (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        # Wide enough for a few words; it grows with the window (issue 13: 800 px wide).
        self.search_box.setMinimumWidth(SEARCH_MIN_WIDTH)
        self.search_box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.scope_combo = QComboBox()
        self.scope_combo.setObjectName("scopeCombo")
        self.scope_combo.addItem("All papers", "all")
        self.scope_combo.addItem("This view", "view")
        self.scope_combo.addItem("Full text", "fulltext")
        self.scope_combo.setToolTip(
            "Search everything, only the papers of the current view, or the text of the "
            "PDFs you downloaded"
        )
        self.search_hf_button = QPushButton(HF_LABELS[0])
        self.search_hf_button.setObjectName("searchHfButton")
        self.search_hf_button.setEnabled(False)
        self.sort_label = QLabel(" Sort ")
        self.sort_combo.setToolTip("Sort the list")
        self.compactness = 0  # how far the toolbar's labels are shortened (fit_toolbar)
        self._toolbar: QToolBar | None = None
        self._sort_label_action: QAction | None = None
        self.tag_mode_combo = QComboBox()
        self.tag_mode_combo.setObjectName("tagModeCombo")
        for label, tag_mode in views.TAG_MODES:
            self.tag_mode_combo.addItem(label, tag_mode)
        self.tag_mode_combo.hide()
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(250)

        self.date_edit.dateChanged.connect(self.on_date_changed)
        calendar = self.date_edit.calendarWidget()
        calendar.setToolTip("Days in bold have a Hugging Face list stored")
        calendar.currentPageChanged.connect(self.on_calendar_page_changed)
        self.mark_calendar()
        self.mode_combo.currentIndexChanged.connect(self.on_mode_changed)
        self.sort_combo.currentIndexChanged.connect(self.on_sort_changed)
        self.search_box.textChanged.connect(self.on_search_text_changed)
        self.search_box.returnPressed.connect(self.on_search_return_pressed)
        self.search_box.installEventFilter(self)
        self.search_timer.timeout.connect(self.on_search_timer_timeout)
        self.scope_combo.currentIndexChanged.connect(self.on_search_timer_timeout)
        self.search_hf_button.clicked.connect(self.on_search_hf_clicked)
        self.tag_mode_combo.currentIndexChanged.connect(self.on_tag_mode_changed)

    def fill_toolbar(self, tb: QToolBar, refresh: QAction, prev: QAction, nxt: QAction) -> None:
        tb.addAction(refresh)
        tb.addSeparator()
        tb.addAction(prev)
        tb.addWidget(self.date_edit)
        tb.addAction(nxt)
        tb.addWidget(self.mode_combo)
        tb.addSeparator()
        self._sort_label_action = tb.addWidget(self.sort_label)
        tb.addWidget(self.sort_combo)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        tb.addWidget(spacer)
        tb.addWidget(self.search_box)
        tb.addWidget(self.scope_combo)
        tb.addWidget(self.search_hf_button)
        self._prev, self._next = prev, nxt
        self._toolbar = tb
        tb.installEventFilter(self)

    # ------------------------------------------------------------------ a narrow window
    def _toolbar_needs(self) -> int:
        """The width the toolbar's items take at their preferred size (the search box at its
        minimum, the spacer at none), with the toolbar's margins and spacing."""
        tb = self._toolbar
        assert tb is not None
        layout = tb.layout()
        assert layout is not None
        margins = layout.contentsMargins()
        spacing = layout.spacing()
        width = margins.left() + margins.right()
        for action in tb.actions():
            widget = tb.widgetForAction(action)
            if widget is None or not action.isVisible():
                continue
            if widget is self.search_box:
                width += self.search_box.minimumWidth()
            elif widget.sizePolicy().horizontalPolicy() != QSizePolicy.Policy.Expanding:
                width += widget.sizeHint().width()
            width += spacing
        return width

    def fit_toolbar(self) -> None:
        """Shorten the toolbar's labels as far as the window's width needs, never further:
        the Hugging Face button drops the search text, then says "Search HF" and the
        "Sort" label goes (the sort box keeps a tooltip). Every control stays in the toolbar,
        none behind its overflow button, down to 800 px."""
        tb = self._toolbar
        if tb is None:
            return
        for level in range(len(HF_LABELS)):
            self._set_compactness(level)
            if self._toolbar_needs() <= tb.width():
                return

    def _set_compactness(self, level: int) -> None:
        self.compactness = level
        if self._sort_label_action is not None:
            self._sort_label_action.setVisible(level < 2)
        text = self.search_box.text().strip()
        label = HF_LABELS[level]
        if level == 0 and text:
            label = f"Search Hugging Face for “{_short(text)}”"
        self.search_hf_button.setText(label)
        # A tooltip is rich text: the typed text is shown as typed, never as markup.
        self.search_hf_button.setToolTip(
            rich_safe(f"Search Hugging Face for “{text}”" if text else "Search Hugging Face")
        )

    # ------------------------------------------------------------------ the view
    def view_state(self) -> ViewState:
        """The choices that shape a view (see :mod:`desktop_app.library.views`)."""
        return ViewState(
            day=self.day,
            mode=self.mode,
            search_text=self.search_box.text(),
            scope=self.scope_combo.currentData(),
            tag_mode=self.tag_mode_combo.currentData(),
            sorts=dict(self.sorts),
            unscoped=self._unscoped,
            fulltext=self._fulltext(),
        )

    def _fulltext(self) -> FulltextFound | None:
        """What the last full-text search found, if it was for the box's text."""
        found = self.fulltext
        return found if found and found.text == self.search_box.text().strip() else None

    def set_fulltext(self, found: FulltextFound) -> None:
        """A full-text search answered: the Search view shows what it found (if the box
        still holds that text and the scope is still *Full text*)."""
        self.fulltext = found
        if self._fulltext() is not None and self.fulltext_shown(self.spec):
            self.viewRequested.emit(self.spec)

    def fulltext_shown(self, spec: ViewSpec) -> bool:
        """Whether ``spec`` shown now is the full-text search (the Search view, scope *Full
        text*)."""
        return spec.kind == "search" and self.scope() == "fulltext"

    def scope(self) -> str:
        """What the search box searches: "all", "view" or "fulltext"."""
        return str(self.scope_combo.currentData())

    def query_for(self, spec: ViewSpec) -> FeedQuery:
        """The FeedQuery a sidebar entry stands for, with the chosen sort."""
        return views.query_for(spec, self.view_state(), self.repo)

    def unscoped_query_for(self, spec: ViewSpec) -> FeedQuery:
        """The query of a view itself, never narrowed by a "This view" search (counts)."""
        self._unscoped = True
        try:
            return self.query_for(spec)
        finally:
            self._unscoped = False

    def view_label(self, spec: ViewSpec) -> str:
        return views.view_label(spec, self.view_state(), self.repo)

    def show_sort(self, sort: Sort | str) -> None:
        """Show ``sort`` in the sort menu without choosing it again."""
        value = sort.value if isinstance(sort, Sort) else sort
        self.sort_combo.blockSignals(True)
        self.sort_combo.setCurrentIndex(max(0, self.sort_combo.findData(value)))
        self.sort_combo.blockSignals(False)

    def enter(self, spec: ViewSpec) -> None:
        """Make ``spec`` the current view and set the toolbar for it."""
        if spec != self.spec and spec.kind != "search":
            self.previous_spec = spec
        self.spec = spec
        daily = spec.kind == "daily"
        for w in (self._prev, self._next):
            w.setEnabled(daily)
        self.date_edit.setEnabled(daily)
        self.mode_combo.setEnabled(daily)
        sort = views.sort_for(spec, self.view_state())
        if spec.kind == "smart":  # a saved search keeps its own sort unless one is chosen
            sort = self.query_for(spec).sort
        self.sort_combo.blockSignals(True)
        self.sort_combo.setCurrentIndex([s for _, s in SORT_LABELS].index(sort))
        self.sort_combo.blockSignals(False)
        self.tag_mode_combo.setVisible(spec.kind == "tags")

    def follow_rename(self, old: str, new: str) -> None:
        """Point the current view at renamed tags (sub-tags included)."""

        def rebase(name: str) -> str:
            key = old.casefold()
            if name.casefold() == key or name.casefold().startswith(key + "/"):
                return new + name[len(old) :]
            return name

        if self.spec.kind == "tag":
            self.spec = ViewSpec("tag", rebase(self.spec.tag))
        elif self.spec.kind == "tags":
            self.spec = ViewSpec("tags", tags=tuple(rebase(t) for t in self.spec.tags))

    # ------------------------------------------------------------------ date navigation
    def step_day(self, step: int) -> None:
        """Alt+← / Alt+→ (see :func:`desktop_app.library.views.neighbour_day`)."""
        self.set_day(views.neighbour_day(self.day, self.mode, step, self.repo, date.today()))

    @Slot(int, int)
    def on_calendar_page_changed(self, year: int, month: int) -> None:
        self.mark_calendar(date(year, month, 1))

    def mark_calendar(self, month: date | None = None) -> None:
        """Bold the days of the calendar's month (and the days of its neighbours it shows)
        that have a stored Hugging Face list."""
        calendar = self.date_edit.calendarWidget()
        if month is None:
            month = date(calendar.yearShown(), calendar.monthShown(), 1)
        calendar.setDateTextFormat(QDate(), QTextCharFormat())  # clears every day
        bold = QTextCharFormat()
        bold.setFontWeight(QFont.Weight.Bold)
        bold.setFontUnderline(True)
        first = month - timedelta(days=7)
        last = month + timedelta(days=31 + 14)
        for day in self.repo.daily_days(first, last):
            calendar.setDateTextFormat(QDate(day.year, day.month, day.day), bold)

    @Slot()
    def on_previous_triggered(self) -> None:
        self.step_day(-1)

    @Slot()
    def on_next_triggered(self) -> None:
        self.step_day(1)

    def set_day(self, day: date) -> None:
        self.date_edit.setDate(QDate(day.year, day.month, day.day))

    @Slot()
    def on_today_triggered(self) -> None:
        self.set_day(date.today())
        self.selectRequested.emit(ViewSpec("daily"))

    @Slot(QDate)
    def on_date_changed(self, qdate: QDate) -> None:
        self.day = date(qdate.year(), qdate.month(), qdate.day())
        if self.spec.kind == "daily":
            self.viewRequested.emit(self.spec)

    @Slot(int)
    def on_mode_changed(self, _index: int) -> None:
        self.mode = self.mode_combo.currentData()
        self.sorts.pop("daily", None)
        self.viewRequested.emit(self.spec)

    @Slot(int)
    def on_sort_changed(self, _index: int) -> None:
        if self.sort_combo.currentData() == FOR_YOU:
            self.forYouRequested.emit()
            return
        self.sorts[views.sort_key(self.spec)] = Sort(self.sort_combo.currentData())
        self.viewRequested.emit(self.spec)

    @Slot(int)
    def on_tag_mode_changed(self, _index: int) -> None:
        if self.spec.kind == "tags":
            self.viewRequested.emit(self.spec)

    # ------------------------------------------------------------------ search
    @Slot()
    def on_find_triggered(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """``↓`` in the search box goes to the first result; Esc clears the search. A
        resized toolbar fits its labels to its width."""
        if watched is self._toolbar and event.type() == QEvent.Type.Resize:
            self.fit_toolbar()
        if watched is self.search_box and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.modifiers() == Qt.KeyboardModifier.NoModifier:
                if event.key() == Qt.Key.Key_Down:
                    self.on_search_return_pressed()
                    return True
                if event.key() == Qt.Key.Key_Escape:
                    self.clear_search()
                    return True
        return super().eventFilter(watched, event)

    @Slot()
    def on_search_return_pressed(self) -> None:
        self.on_search_timer_timeout()  # now, not after the typing pause
        self.searchLeft.emit()

    def clear_search(self) -> None:
        """Empty the box and go back to the view the search started from."""
        self.search_timer.stop()
        had_text = bool(self.search_box.text())
        self._empty_box_quietly()
        if self.spec.kind == "search":
            self.selectRequested.emit(self.previous_spec)
        elif had_text and self.scope_combo.currentData() == "view":
            self.viewRequested.emit(self.spec)  # the view, no longer narrowed
        self.searchLeft.emit()

    def drop_unapplied_search(self) -> None:
        """Leaving the search for another view: text searching all papers would stay in the
        box looking applied while the view ignores it, so it goes (a "This view" search
        does narrow the new view, and stays)."""
        if self.search_box.text() and self.scope_combo.currentData() != "view":
            self.search_timer.stop()
            self._empty_box_quietly()

    def _empty_box_quietly(self) -> None:
        """Empty the search box without starting a search (signals stay connected: the
        box's own clear button follows its text through them)."""
        self._quiet = True
        try:
            self.search_box.clear()
        finally:
            self._quiet = False
        self.search_timer.stop()

    def toolbar_widgets(self) -> tuple[QWidget, ...]:
        """The navigation widgets first in the window's tab chain."""
        return (self.date_edit, self.mode_combo, self.sort_combo, self.scope_combo)

    @Slot(str)
    def on_search_text_changed(self, text: str) -> None:
        self.search_hf_button.setEnabled(bool(text.strip()))
        if self._toolbar is None:
            self._set_compactness(self.compactness)
        else:
            self.fit_toolbar()  # the button's label grows with the text while there is room
        if not self._quiet:
            self.search_timer.start()

    @Slot()
    def on_search_timer_timeout(self) -> None:
        self.search_timer.stop()
        if self.scope_combo.currentData() == "view":
            spec = self.previous_spec if self.spec.kind == "search" else self.spec
            if spec != self.spec:
                self.selectRequested.emit(spec)
            self.viewRequested.emit(spec)
            return
        text = self.search_box.text().strip()
        if text:
            spec = ViewSpec("search")
            if self.scope_combo.currentData() == "fulltext":
                # Asked each time (PDFs come and go); the view fills in when it answers.
                self.fulltextRequested.emit(text)
            if self.spec != spec:
                self.selectRequested.emit(spec)
            self.viewRequested.emit(spec)
        elif self.spec.kind == "search":
            self.selectRequested.emit(self.previous_spec)

    @Slot()
    def on_search_hf_clicked(self) -> None:
        text = self.search_box.text().strip()
        if text:
            self.remoteSearchRequested.emit(text)

    # ------------------------------------------------------------------ persistence
    def restore(self, s: QSettings) -> None:
        sorts = s.value("view/sorts")
        if isinstance(sorts, str) and sorts:
            for pair in sorts.split(","):
                kind, _, value = pair.partition("=")
                try:
                    self.sorts[kind] = Sort(value)
                except ValueError:
                    continue
        mode = s.value("view/mode")
        if mode in ("day", "week", "month"):
            self.mode = str(mode)
            self.mode_combo.blockSignals(True)
            self.mode_combo.setCurrentIndex([m for _, m in MODES].index(self.mode))
            self.mode_combo.blockSignals(False)

    def save(self, s: QSettings) -> None:
        kept = {k: v for k, v in self.sorts.items() if ":" not in k}  # not per saved search
        s.setValue("view/sorts", ",".join(f"{k}={v.value}" for k, v in kept.items()))
        s.setValue("view/mode", self.mode)
