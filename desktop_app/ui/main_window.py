"""The main window: sidebar | feed | abstract, with menus, toolbar, search and status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QDate,
    QItemSelection,
    QItemSelectionModel,
    QSettings,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME, __version__
from desktop_app.config import Settings
from desktop_app.domain import FeedQuery, Paper, Sort
from desktop_app.errors import AppError
from desktop_app.library import jobs, views
from desktop_app.library.views import ViewSpec, ViewState
from desktop_app.store import Repository
from desktop_app.ui import ask
from desktop_app.ui.abstract_view import AbstractView
from desktop_app.ui.actions import bound
from desktop_app.ui.bibtex_actions import BibtexActions
from desktop_app.ui.controller import Controller
from desktop_app.ui.feed_delegate import FeedDelegate
from desktop_app.ui.feed_model import FeedModel, PaperIdRole, PaperRole
from desktop_app.ui.sidebar import Sidebar, SidebarModel
from desktop_app.ui.tag_actions import TagActions
from desktop_app.ui.undo import (
    DeletedPapersCommand,
    Edit,
    ImportCommand,
    MarkedReadCommand,
    StateCommand,
    TagPapersCommand,
)

log = logging.getLogger(__name__)


SORT_LABELS = (
    ("Rank", Sort.RANK),
    ("Newest", Sort.DATE),
    ("Most upvoted", Sort.UPVOTES),
    ("Relevance", Sort.RELEVANCE),
)


class MessageBar(QFrame):
    """A non-modal, dismissible message above the feed, with an optional Retry button."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = ask.plain_label()
        self.label.setWordWrap(True)
        self.retry_button = QPushButton("Retry")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button)
        layout.addWidget(self.close_button)
        self.hide()

    def show_message(self, text: str, retry: bool) -> None:
        self.label.setText(text)
        self.retry_button.setVisible(retry)
        self.show()


class MainWindow(TagActions, BibtexActions, QMainWindow):
    """The application window. Built by :mod:`desktop_app.app` with its collaborators.

    Signals:
        countsUpdated(): the sidebar's view counts were refreshed (computed in the worker).
    """

    countsUpdated = Signal()

    def __init__(
        self,
        repo: Repository,
        controller: Controller,
        settings: Settings,
        qsettings: QSettings | None = None,
        save_settings: Any = None,
    ) -> None:
        super().__init__()
        self.repo = repo
        self.controller = controller
        self.settings = settings
        self.qsettings = qsettings or QSettings()
        self._save_settings = save_settings
        self.setWindowTitle(APP_NAME)
        # Open on today's list, or on the latest stored one (weekends have none).
        self.day = repo.latest_daily_day(date.today()) or date.today()
        self.mode = "day"
        self.spec = ViewSpec("daily")
        self._sorts: dict[str, Sort] = {}
        self._previous_spec = self.spec
        self.undo_stack = QUndoStack(self)
        self.tag_order = "name"
        self._counts_generation = 0
        self._reloading = False
        self._unscoped = False

        # widgets -----------------------------------------------------------------
        self.sidebar_model = SidebarModel(self)
        self.sidebar = Sidebar(self.sidebar_model)
        self.feed_model = FeedModel(repo, self, count_in_background=self.count_in_background)
        self.feed = QListView()
        self.feed.setObjectName("feed")
        self.feed.setModel(self.feed_model)
        self.delegate = FeedDelegate(self.feed)
        self.feed.setItemDelegate(self.delegate)
        self.feed.setUniformItemSizes(True)
        self.feed.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.feed.setDragEnabled(True)
        self.feed.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.feed.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.feed.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.viewer = AbstractView()
        self.message_bar = MessageBar()
        self.view_title = ask.plain_label()
        self.view_title.setObjectName("viewTitle")
        font = self.view_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.view_title.setFont(font)
        self.tag_mode_combo = QComboBox()
        self.tag_mode_combo.setObjectName("tagModeCombo")
        for label, mode in views.TAG_MODES:
            self.tag_mode_combo.addItem(label, mode)
        self.tag_mode_combo.hide()
        self.empty_label = ask.plain_label()
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()

        self._build_toolbar()
        feed_box = QWidget()
        fl = QVBoxLayout(feed_box)
        fl.setContentsMargins(6, 6, 6, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(self.view_title, 1)
        title_row.addWidget(self.tag_mode_combo)
        fl.addLayout(title_row)
        fl.addWidget(self.message_bar)
        fl.addWidget(self.feed, 1)
        fl.addWidget(self.empty_label, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(feed_box)
        self.splitter.addWidget(self.viewer)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([270, 560, 450])
        self.setCentralWidget(self.splitter)
        self._build_status_bar()
        self._build_actions()
        self._build_menus()

        self.mark_read_timer = QTimer(self)
        self.mark_read_timer.setSingleShot(True)
        self.mark_read_timer.timeout.connect(self.on_mark_read_timer_timeout)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(250)
        self.search_timer.timeout.connect(self.on_search_timer_timeout)

        self._connect()
        self.restore_state()
        self.refresh_sidebar()
        self.sidebar.select_spec(self.spec)
        self.show_view(self.spec)

    # ------------------------------------------------------------------ building
    def _build_toolbar(self) -> None:
        tb = self.addToolBar("Main")
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        self.toolbar = tb
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcuts([QKeySequence.StandardKey.Refresh, QKeySequence("Ctrl+R")])
        self.refresh_action.setToolTip("Fetch the current view from Hugging Face (F5)")
        tb.addAction(self.refresh_action)
        tb.addSeparator()
        self.prev_action = QAction("◀", self)
        self.prev_action.setToolTip("Previous day (Alt+Left)")
        self.prev_action.setShortcut(QKeySequence("Alt+Left"))
        self.next_action = QAction("▶", self)
        self.next_action.setToolTip("Next day (Alt+Right)")
        self.next_action.setShortcut(QKeySequence("Alt+Right"))
        self.date_edit = QDateEdit()
        self.date_edit.setObjectName("dateEdit")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setDate(QDate(self.day.year, self.day.month, self.day.day))
        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("modeCombo")
        for label, mode in (("Day", "day"), ("Week", "week"), ("Month", "month")):
            self.mode_combo.addItem(label, mode)
        tb.addAction(self.prev_action)
        tb.addWidget(self.date_edit)
        tb.addAction(self.next_action)
        tb.addWidget(self.mode_combo)
        tb.addSeparator()
        tb.addWidget(QLabel(" Sort "))
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("sortCombo")
        for label, sort in SORT_LABELS:
            self.sort_combo.addItem(label, sort.value)
        tb.addWidget(self.sort_combo)
        spacer = QWidget()
        spacer.setSizePolicy(
            spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy()
        )
        tb.addWidget(spacer)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Search the library…  (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(240)
        self.scope_combo = QComboBox()
        self.scope_combo.setObjectName("scopeCombo")
        self.scope_combo.addItem("All papers", "all")
        self.scope_combo.addItem("This view", "view")
        self.scope_combo.setToolTip("Search everything, or only the papers of the current view")
        tb.addWidget(self.search_box)
        tb.addWidget(self.scope_combo)
        self.search_hf_button = QPushButton("Search Hugging Face")
        self.search_hf_button.setObjectName("searchHfButton")
        self.search_hf_button.setEnabled(False)
        tb.addWidget(self.search_hf_button)

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.count_label = ask.plain_label()
        self.offline_label = QLabel("Offline — your library is fully usable")
        self.offline_label.setObjectName("offlineLabel")
        self.offline_label.setStyleSheet("color: #b35c00;")
        self.offline_label.hide()
        self.progress_label = ask.plain_label()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setMaximumWidth(120)
        self.progress_bar.setMaximumHeight(14)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        for w in (self.progress_label, self.progress_bar, self.cancel_button):
            w.hide()
        sb.addWidget(self.count_label)
        sb.addPermanentWidget(self.offline_label)
        sb.addPermanentWidget(self.progress_label)
        sb.addPermanentWidget(self.progress_bar)
        sb.addPermanentWidget(self.cancel_button)

    def _act(
        self,
        text: str,
        shortcut: str | QKeySequence.StandardKey | None,
        slot: Any,
        widget_only: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if widget_only:
            # Single-letter keys act in the feed only, so typing in the search box or the
            # note editor never triggers them.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.feed.addAction(action)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.open_action = self._act("Open paper page", "O", self.on_open_triggered, True)
        self.open_pdf_action = self._act("Open PDF", "P", self.on_open_pdf_triggered, True)
        self.read_action = self._act("Toggle read", "M", self.on_toggle_read_triggered, True)
        self.star_action = self._act("Toggle star", "S", self.on_toggle_star_triggered, True)
        self.save_action = self._act(
            "Toggle saved in library", "L", self.on_toggle_saved_triggered, True
        )
        self.down_action = self._act("Next paper", "J", bound(self.move_selection, 1), True)
        self.up_action = self._act("Previous paper", "K", bound(self.move_selection, -1), True)
        self.page_action = self._act("Scroll abstract", "Space", self.viewer.page_down, True)
        self.delete_action = self._act(
            "Delete from this computer…", "Shift+Del", self.on_delete_triggered, True
        )
        self.delete_action.setProperty("destructive", True)  # asks first (tests check it)
        self.mark_all_action = self._act(
            "Mark all in view as read", "Ctrl+Shift+M", self.on_mark_all_read_triggered
        )
        self.find_action = self._act("Find", QKeySequence.StandardKey.Find, self.on_find_triggered)
        self.about_action = self._act("About Daily Papers", None, self.on_about_triggered)
        self.prefs_action = self._act(
            "Preferences…", QKeySequence.StandardKey.Preferences, self.on_preferences_triggered
        )
        self.quit_action = self._act("Quit", QKeySequence.StandardKey.Quit, self.close)
        self.add_action = self._act(
            "Add paper by id or URL…", "Ctrl+N", self.on_add_paper_triggered
        )
        self.today_action = self._act("Go to today", "Alt+Home", self.on_today_triggered)
        self.tag_action = self._act("Tag…", "T", self.on_tag_picker_triggered, True)
        self.quick_actions = []
        for n in range(1, 10):
            act = self._act(f"Favourite tag {n}", str(n), bound(self.quick_tag, n), True)
            self.quick_actions.append(act)
        self.undo_action = self.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.copy_link_action = self._act("Copy link", None, self.on_copy_link_triggered)
        self.new_tag_action = self._act("New tag…", None, self.on_new_tag_triggered)
        self.export_action = self._act("Export BibTeX…", "Ctrl+E", self.on_export_triggered)
        self.import_action = self._act("Import BibTeX…", "Ctrl+I", self.on_import_triggered)
        self.copy_bib_action = self._act(
            "Copy BibTeX", "Ctrl+Shift+C", self.on_copy_bibtex_triggered
        )

    def _build_menus(self) -> None:
        mb = self.menuBar()
        file_menu = mb.addMenu("&File")
        file_menu.addAction(self.add_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.prefs_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.file_menu = file_menu
        edit_menu = mb.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.copy_link_action)
        edit_menu.addAction(self.copy_bib_action)
        self.edit_menu = edit_menu
        view_menu = mb.addMenu("&View")
        view_menu.addAction(self.refresh_action)
        view_menu.addSeparator()
        view_menu.addAction(self.prev_action)
        view_menu.addAction(self.next_action)
        view_menu.addAction(self.today_action)
        view_menu.addAction(self.find_action)
        paper_menu = mb.addMenu("&Paper")
        for a in (
            self.open_action,
            self.open_pdf_action,
            None,
            self.down_action,
            self.up_action,
            self.page_action,
            None,
            self.read_action,
            self.star_action,
            self.save_action,
            self.mark_all_action,
            None,
            self.delete_action,
        ):
            if a is None:
                paper_menu.addSeparator()
            else:
                paper_menu.addAction(a)
        self.quick_menu = paper_menu.addMenu("Favourite tags")
        self.quick_menu.aboutToShow.connect(self.on_quick_menu_about_to_show)
        self.paper_menu = paper_menu
        help_menu = mb.addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _connect(self) -> None:
        c = self.controller
        c.busy.connect(self.on_controller_busy)
        c.progress.connect(self.on_controller_progress)
        c.done.connect(self.on_controller_done)
        c.failed.connect(self.on_controller_failed)
        c.cancelled.connect(self.on_controller_cancelled)
        c.idle.connect(self.on_controller_idle)
        c.libraryChanged.connect(self.on_controller_library_changed)
        c.onlineChanged.connect(self.on_controller_online_changed)
        c.quietResult.connect(self.on_controller_quiet_result)
        self.cancel_button.clicked.connect(self.controller.cancel)
        self.message_bar.retry_button.clicked.connect(self.on_retry_clicked)
        self.refresh_action.triggered.connect(self.on_refresh_triggered)
        self.prev_action.triggered.connect(lambda: self.step_day(-1))
        self.next_action.triggered.connect(lambda: self.step_day(1))
        self.date_edit.dateChanged.connect(self.on_date_changed)
        self.mode_combo.currentIndexChanged.connect(self.on_mode_changed)
        self.sort_combo.currentIndexChanged.connect(self.on_sort_changed)
        self.search_box.textChanged.connect(self.on_search_text_changed)
        self.search_box.returnPressed.connect(self.on_search_timer_timeout)
        self.search_hf_button.clicked.connect(self.on_search_hf_clicked)
        self.sidebar.viewSelected.connect(self.show_view)
        self.sidebar_model.papersDropped.connect(self.on_papers_dropped)
        self.feed.selectionModel().currentChanged.connect(self.on_feed_current_changed)
        self.feed.doubleClicked.connect(self.on_open_triggered)
        self.feed_model.countChanged.connect(self.on_feed_count_changed)
        self.feed_model.modelReset.connect(self.on_feed_reset)
        self.viewer.noteEdited.connect(self.on_note_edited)
        self.viewer.copyBibtexRequested.connect(lambda pid: self.copy_bibtex([pid]))
        self.feed.customContextMenuRequested.connect(self.on_feed_context_menu)
        self.sidebar.customContextMenuRequested.connect(self.on_sidebar_context_menu)
        self.sidebar.tagsSelected.connect(self.on_sidebar_tags_selected)
        self.tag_mode_combo.currentIndexChanged.connect(self.on_tag_mode_changed)
        self.scope_combo.currentIndexChanged.connect(self.on_search_timer_timeout)

    # ------------------------------------------------------------------ views
    def view_state(self) -> ViewState:
        """The window's choices that shape a view (see :mod:`desktop_app.library.views`)."""
        return ViewState(
            day=self.day,
            mode=self.mode,
            search_text=self.search_box.text(),
            scope=self.scope_combo.currentData(),
            tag_mode=self.tag_mode_combo.currentData(),
            sorts=dict(self._sorts),
            unscoped=self._unscoped,
        )

    def query_for(self, spec: ViewSpec) -> FeedQuery:
        """The FeedQuery a sidebar entry stands for, with the chosen sort."""
        return views.query_for(spec, self.view_state(), self.repo)

    def sort_for(self, spec: ViewSpec) -> Sort:
        return views.sort_for(spec, self.view_state())

    def view_label(self, spec: ViewSpec) -> str:
        return views.view_label(spec, self.view_state(), self.repo)

    @Slot(object)
    def show_view(self, spec: ViewSpec) -> None:
        if spec != self.spec and spec.kind != "search":
            self._previous_spec = spec
        self.spec = spec
        daily = spec.kind == "daily"
        for w in (self.prev_action, self.next_action):
            w.setEnabled(daily)
        self.date_edit.setEnabled(daily)
        self.mode_combo.setEnabled(daily)
        sort = self.sort_for(spec)
        self.sort_combo.blockSignals(True)
        self.sort_combo.setCurrentIndex([s for _, s in SORT_LABELS].index(sort))
        self.sort_combo.blockSignals(False)
        self.view_title.setText(self.view_label(spec))
        self.tag_mode_combo.setVisible(spec.kind == "tags")
        query = self.query_for(spec)
        self.feed_model.set_query(query)
        if spec.kind == "daily":
            # The Daily entry counts the day (week, month) shown; a newer count supersedes
            # any still running for the previous date.
            self.refresh_view_counts()
        if self.feed_model.rowCount() and not self.feed.currentIndex().isValid():
            self.feed.setCurrentIndex(self.feed_model.index(0))

    def reload_view(self) -> None:
        """Re-run the view after the library changed, keeping the selection, the current
        paper and the viewer (with the note being typed) as they were."""
        current = self.feed.currentIndex().data(PaperIdRole)
        selected = self.selected_ids()
        self._reloading = True
        try:
            self.feed_model.reload(self.query_for(self.spec))
        finally:
            self._reloading = False
        self.view_title.setText(self.view_label(self.spec))
        rows = sorted(r for r in map(self.feed_model.row_of, selected) if r is not None)
        selection = QItemSelection()
        for first, last in _runs(rows):
            selection.select(self.feed_model.index(first), self.feed_model.index(last))
        flags = QItemSelectionModel.SelectionFlag
        model = self.feed.selectionModel()
        row = self.feed_model.row_of(current) if current else None
        if row is not None:
            model.setCurrentIndex(self.feed_model.index(row), flags.NoUpdate)
        model.select(selection, flags.ClearAndSelect)
        paper = self.current_paper()
        self.viewer.show_paper(paper)
        self._update_empty_state(self.feed_model.rowCount())

    def refresh_sidebar(self) -> None:
        tags = self.repo.tags()
        self.sidebar_model.set_tags(tags, self.repo.tag_counts_with_children(), self.tag_order)
        self.sidebar.restore_expansion()
        self.sidebar.show_spec(self.spec)  # rebuilding the tree dropped the highlight
        self.delegate.tag_colors = {t.name.casefold(): t.color for t in tags}
        self.viewer.tag_colors = self.delegate.tag_colors
        self.refresh_view_counts()

    def refresh_view_counts(self) -> None:
        """Recount the smart views in the worker (bulk work over a large library)."""
        # The counts are of the views themselves, never narrowed by a "This view" search.
        self._unscoped = True
        try:
            queries = {
                kind: self.query_for(ViewSpec(kind))
                for kind in (
                    "daily",
                    "today",
                    "week",
                    "unread",
                    "starred",
                    "saved",
                    "all",
                    "trending",
                )
            }
        finally:
            self._unscoped = False
        self._counts_generation += 1
        generation = self._counts_generation
        self.controller.run(
            "Counting", lambda ctx: jobs.count_views(ctx, queries, generation), quiet=True
        )

    def count_in_background(self, query: FeedQuery) -> None:
        self.controller.run("Counting", lambda ctx: jobs.count_feed(ctx, query), quiet=True)

    @Slot(object)
    def on_controller_quiet_result(self, result: Any) -> None:
        if isinstance(result, jobs.FeedCount):
            self.feed_model.set_total(result.query, result.total)
            return
        if isinstance(result, jobs.ViewCounts) and result.generation == self._counts_generation:
            for kind, (total, unread) in result.counts.items():
                self.sidebar_model.set_view_count(kind, total, unread)
            self.countsUpdated.emit()

    @Slot(int)
    def on_feed_count_changed(self, total: int) -> None:
        loaded = self.feed_model.rowCount()
        if total < 0:
            self.count_label.setText(f"{loaded:,}+ papers (counting…)")
        else:
            self.count_label.setText(
                f"{total:,} paper{'s' if total != 1 else ''}"
                + (f" ({loaded:,} loaded)" if loaded < total else "")
            )
        self._update_empty_state(loaded)

    @Slot()
    def on_feed_reset(self) -> None:
        if self._reloading:  # reload_view restores the current paper itself
            return
        self.viewer.show_paper(self.current_paper())
        self._update_empty_state(self.feed_model.rowCount())

    def _update_empty_state(self, total: int) -> None:
        if total:
            self.empty_label.hide()
            self.feed.show()
            return
        hints = {
            "daily": "No papers stored for this date yet. Press Refresh (F5) to fetch the "
            "Hugging Face list — weekends usually have none.",
            "trending": "Press Refresh (F5) to fetch the trending papers.",
            "search": "Nothing found in your library. Try “Search Hugging Face”.",
            "starred": "Star papers with S to find them here.",
            "saved": "Tag, star or note a paper to keep it in your library.",
        }
        self.empty_label.setText(hints.get(self.spec.kind, "No papers here yet."))
        self.feed.hide()
        self.empty_label.show()

    # ------------------------------------------------------------------ selection
    def current_paper(self) -> Paper | None:
        index = self.feed.currentIndex()
        return index.data(PaperRole) if index.isValid() else None

    def selected_ids(self) -> list[str]:
        """Ids of the selected rows in list order (no paper is read: selections can be huge)."""
        rows = sorted(i.row() for i in self.feed.selectionModel().selectedRows())
        ids = [self.feed_model.index(r).data(PaperIdRole) for r in rows]
        if not ids and self.feed.currentIndex().isValid():
            ids = [self.feed.currentIndex().data(PaperIdRole)]
        return [i for i in ids if i]

    def move_selection(self, step: int) -> None:
        row = self.feed.currentIndex().row()
        target = max(0, row + step) if row >= 0 else 0
        if target >= self.feed_model.rowCount() and self.feed_model.canFetchMore(
            self.feed.rootIndex()
        ):
            self.feed_model.fetchMore(self.feed.rootIndex())
        if target < self.feed_model.rowCount():
            self.feed.setCurrentIndex(self.feed_model.index(target))

    @Slot()
    def on_feed_current_changed(self, current: Any, _previous: Any) -> None:
        paper = current.data(PaperRole) if current.isValid() else None
        self.viewer.show_paper(paper)
        self.mark_read_timer.stop()
        if paper is not None and not paper.read and self.settings.mark_read_after_ms > 0:
            self.mark_read_timer.start(self.settings.mark_read_after_ms)

    @Slot()
    def on_mark_read_timer_timeout(self) -> None:
        paper = self.current_paper()
        if paper is not None and not paper.read:
            self.set_state([paper.id], "read", True)

    # ------------------------------------------------------------------ state changes
    def set_state(self, ids: list[str], what: str, value: bool) -> None:
        self.run_edit(StateCommand(self.repo, ids, what, value, self.after_edit))

    def run_edit(self, command: Edit | Callable[[], Edit]) -> bool:
        """Apply an edit now and put it on the undo stack; a refused edit is only reported.

        ``command`` may be a factory: building a command can itself be refused (a tag name
        with nothing in it), and that is reported the same way.
        """
        try:
            if not isinstance(command, Edit):
                command = command()
            command.on_error = self.show_error
            command.do()
        except Exception as exc:  # AppError from the store: say it, change nothing
            self.show_error(exc)
            return False
        self.undo_stack.push(command)
        return True

    def show_error(self, exc: Exception) -> None:
        self.message_bar.show_message(str(exc), retry=False)

    def after_edit(self, ids: list[str]) -> None:
        """Repaint touched rows (or the whole view after tag edits) and the sidebar counts."""
        if ids:
            self.feed_model.refresh_papers(ids)
            current = self.current_paper()
            if current is not None and current.id in ids:
                self.viewer.show_paper(current)
        else:
            self.reload_view()
        self.refresh_sidebar()

    def apply_change(self, change: Any, ids: list[str]) -> None:
        """Run a small write that is not undoable (a note), then repaint."""
        try:
            change()
        except Exception as exc:
            self.show_error(exc)
            return
        self.after_edit(ids)

    def _toggle(self, what: str) -> None:
        ids = self.selected_ids()
        flags = self.repo.flags(ids)
        if not flags:
            return
        column = ("read", "starred", "saved").index(what)
        value = not all(f[column] for f in flags.values())
        self.set_state(ids, what, value)

    @Slot()
    def on_toggle_read_triggered(self) -> None:
        self.mark_read_timer.stop()
        self._toggle("read")

    @Slot()
    def on_toggle_star_triggered(self) -> None:
        self._toggle("starred")

    @Slot()
    def on_toggle_saved_triggered(self) -> None:
        self._toggle("saved")

    @Slot()
    def on_delete_triggered(self) -> None:
        """Delete the selected papers for good, after asking (Shift+Del)."""
        self.viewer.flush_note()  # a note being typed is saved first, and so undoable
        ids = self.selected_ids()
        if not ids:
            return
        n = len(ids)
        what = "this paper" if n == 1 else f"these {n} papers"
        if ask.confirm(
            self,
            "Delete papers",
            f"Delete {what} from this computer, with their tags, notes and read state? "
            "You can undo this with Ctrl+Z. A paper on a Hugging Face list comes back "
            "(without your tags or notes) when that list is fetched again.",
            action="Delete",
        ):
            self.controller.run(f"Deleting {what}", lambda ctx: jobs.delete_papers(ctx, ids))

    @Slot()
    def on_mark_all_read_triggered(self) -> None:
        query = self.feed_model.query
        self.controller.run("Marking all as read", lambda ctx: jobs.mark_view_read(ctx, query))

    @Slot(str, str)
    def on_note_edited(self, paper_id: str, text: str) -> None:
        self.apply_change(lambda: self.repo.set_note(paper_id, text), [paper_id])

    @Slot(list, str)
    def on_papers_dropped(self, ids: list[str], tag: str) -> None:
        self.run_edit(TagPapersCommand(self.repo, ids, [tag], [], self.after_edit))

    # ------------------------------------------------------------------ open links
    def _open(self, url: str | None) -> None:
        from desktop_app.ui.abstract_view import is_safe_url

        if is_safe_url(url):
            self.viewer.open_url(QUrl(url))

    @Slot()
    def on_open_triggered(self) -> None:
        paper = self.current_paper()
        if paper is not None:
            self._open(paper.hf_url or paper.arxiv_url)

    @Slot()
    def on_open_pdf_triggered(self) -> None:
        paper = self.current_paper()
        if paper is not None:
            self._open(paper.pdf_url)

    # ------------------------------------------------------------------ date navigation
    def step_day(self, step: int) -> None:
        if self.mode == "week":
            self.set_day(self.day + timedelta(days=7 * step))
        elif self.mode == "month":
            first = self.day.replace(day=1)
            if step > 0:
                self.set_day((first + timedelta(days=32)).replace(day=1))
            else:
                self.set_day((first - timedelta(days=1)).replace(day=1))
        else:
            self.set_day(self.day + timedelta(days=step))

    def set_day(self, day: date) -> None:
        self.date_edit.setDate(QDate(day.year, day.month, day.day))

    @Slot()
    def on_today_triggered(self) -> None:
        self.set_day(date.today())
        self.sidebar.select_spec(ViewSpec("daily"))

    @Slot(QDate)
    def on_date_changed(self, qdate: QDate) -> None:
        self.day = date(qdate.year(), qdate.month(), qdate.day())
        if self.spec.kind == "daily":
            self.show_view(self.spec)

    @Slot(int)
    def on_mode_changed(self, _index: int) -> None:
        self.mode = self.mode_combo.currentData()
        self._sorts.pop("daily", None)
        self.show_view(self.spec)

    @Slot(int)
    def on_sort_changed(self, _index: int) -> None:
        self._sorts[self.spec.kind] = Sort(self.sort_combo.currentData())
        self.show_view(self.spec)

    # ------------------------------------------------------------------ search
    @Slot()
    def on_find_triggered(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    @Slot(str)
    def on_search_text_changed(self, text: str) -> None:
        self.search_hf_button.setEnabled(bool(text.strip()))
        self.search_hf_button.setText(
            f"Search Hugging Face for “{_short(text.strip())}”"
            if text.strip()
            else "Search Hugging Face"
        )
        self.search_timer.start()

    @Slot()
    def on_search_timer_timeout(self) -> None:
        self.search_timer.stop()
        if self.scope_combo.currentData() == "view":
            spec = self._previous_spec if self.spec.kind == "search" else self.spec
            if spec != self.spec:
                self.sidebar.select_spec(spec)
            self.show_view(spec)
            return
        if self.search_box.text().strip():
            spec = ViewSpec("search")
            if self.spec != spec:
                self.sidebar.select_spec(spec)
            self.show_view(spec)
        elif self.spec.kind == "search":
            self.sidebar.select_spec(self._previous_spec)

    @Slot()
    def on_search_hf_clicked(self) -> None:
        text = self.search_box.text().strip()
        if text:
            self.controller.search_remote(text)

    # ------------------------------------------------------------------ refresh
    @Slot()
    def on_refresh_triggered(self) -> None:
        kind = self.spec.kind
        if kind == "daily":
            self.controller.fetch_daily(self.day, self.mode)
        elif kind == "trending":
            self.controller.fetch_trending()
        elif kind == "search" and self.search_box.text().strip():
            self.controller.search_remote(self.search_box.text().strip())
        else:
            self.controller.fetch_daily(date.today(), "day")

    @Slot()
    def on_retry_clicked(self) -> None:
        self.message_bar.hide()
        self.controller.retry()

    @Slot(str)
    def on_controller_busy(self, title: str) -> None:
        self.progress_label.setText(title + "…")
        for w in (self.progress_label, self.progress_bar, self.cancel_button):
            w.show()

    @Slot(str)
    def on_controller_progress(self, text: str) -> None:
        base = self.progress_label.text().split(" — ")[0]
        self.progress_label.setText(f"{base} — {text}")

    @Slot(str, object)
    def on_controller_done(self, text: str, result: Any) -> None:
        self.statusBar().showMessage(text, 8000)
        self.message_bar.hide()
        kind = getattr(result, "kind", "")
        if kind == "daily" and self.spec.kind == "daily" and not self.feed_model.rowCount():
            # Nothing for the day shown (a weekend, or too early): go to the newest list.
            latest = self.repo.latest_daily_day(date.today())
            if latest is not None and latest != self.day:
                self.set_day(latest)
        if kind == "search":
            self.sidebar.select_spec(ViewSpec("search"))
            self.show_view(ViewSpec("search"))
        elif kind == "delete" and result.ids:
            command = DeletedPapersCommand(self.repo, result.payload, self.after_edit)
            command.on_error = self.show_error
            self.undo_stack.push(command)
        elif kind == "mark-read" and result.ids:
            # Done in the worker; put it on the undo stack as already applied.
            command = MarkedReadCommand(self.repo, list(result.ids), self.after_edit)
            command.on_error = self.show_error
            self.undo_stack.push(command)
        elif kind == "export" and result.payload is not None:
            QApplication.clipboard().setText(result.payload)
        elif kind == "import" and result.payload[3] is not None:
            path, _tag, _report, undo = result.payload
            command = ImportCommand(self.repo, undo, path, self.after_edit)
            command.on_error = self.show_error
            self.undo_stack.push(command)
        elif kind == "import-preview":
            path, tag, report, _undo = result.payload
            if self.confirm_import(report, path):
                self.controller.run(
                    f"Importing {path}", lambda ctx: jobs.import_bib(ctx, path, tag, False)
                )

    @Slot(str, bool)
    def on_controller_failed(self, message: str, offline: bool) -> None:
        self.message_bar.show_message(message, retry=True)

    @Slot()
    def on_controller_cancelled(self) -> None:
        self.statusBar().showMessage("Cancelled.", 5000)

    @Slot()
    def on_controller_idle(self) -> None:
        for w in (self.progress_label, self.progress_bar, self.cancel_button):
            w.hide()

    @Slot()
    def on_controller_library_changed(self) -> None:
        self.reload_view()
        self.refresh_sidebar()

    @Slot(bool)
    def on_controller_online_changed(self, online: bool) -> None:
        self.offline_label.setVisible(not online)

    # ------------------------------------------------------------------ dialogs
    @Slot()
    def on_about_triggered(self) -> None:
        ask.inform(
            self,
            f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\n\nThe Hugging Face Daily Papers feed and arXiv on your "
            "desktop: read abstracts quickly, tag a personal library, export BibTeX that "
            "compiles.",
        )

    @Slot()
    def on_preferences_triggered(self) -> None:
        from desktop_app.ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self.settings, self)
        if dialog.exec():
            self.apply_settings(dialog.result_settings())

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.controller.settings = settings
        self.controller.host.worker.set_settings(settings.effective())
        if self._save_settings:
            self._save_settings(settings)
        from desktop_app.ui.theme import apply_theme

        apply_theme(QApplication.instance(), settings.theme)
        self.controller.start_auto_refresh()

    @Slot()
    def on_add_paper_triggered(self) -> None:
        text = ask.ask_text(
            self, "Add papers", "arXiv ids or arXiv / Hugging Face URLs (separate by spaces):"
        )
        if text and text.split():
            self.controller.add_papers(text.split())

    # ------------------------------------------------------------------ persistence
    def restore_state(self) -> None:
        s = self.qsettings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(QByteArray(geometry))
        else:
            self.resize(1280, 800)
        state = s.value("window/state")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(QByteArray(state))
        splitter = s.value("window/splitter")
        if isinstance(splitter, QByteArray | bytes):
            self.splitter.restoreState(QByteArray(splitter))
        viewer_split = s.value("window/viewerSplitter")
        if isinstance(viewer_split, QByteArray | bytes):
            self.viewer.split.restoreState(QByteArray(viewer_split))
        sorts = s.value("view/sorts")
        if isinstance(sorts, str) and sorts:
            for pair in sorts.split(","):
                kind, _, value = pair.partition("=")
                try:
                    self._sorts[kind] = Sort(value)
                except ValueError:
                    continue
        # Favourite tags used to live here; they now live in the library. Move them once.
        favourites = s.value("tags/favourites")
        if isinstance(favourites, str):
            favourites = favourites.split("\n")
        if isinstance(favourites, list):
            # Keys as they were (the list's order), tags that were not made yet included.
            keys = {n: str(f) for n, f in enumerate(favourites[:9], start=1) if str(f).strip()}
            try:
                if keys and not self.repo.favourite_tags():
                    self.repo.set_favourite_tags(keys, create=True)
                s.remove("tags/favourites")
            except AppError as exc:
                log.warning("favourite tags not moved into the library: %s", exc)
        if s.value("tags/order") in ("name", "count"):
            self.tag_order = s.value("tags/order")
        mode = s.value("view/mode")
        if mode in ("day", "week", "month"):
            self.mode = mode
            self.mode_combo.blockSignals(True)
            self.mode_combo.setCurrentIndex(["day", "week", "month"].index(mode))
            self.mode_combo.blockSignals(False)

    def save_state(self) -> None:
        s = self.qsettings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/viewerSplitter", self.viewer.split.saveState())
        s.setValue("view/sorts", ",".join(f"{k}={v.value}" for k, v in self._sorts.items()))
        s.setValue("view/mode", self.mode)
        s.setValue("tags/order", self.tag_order)
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.viewer.flush_note()  # a note typed just before quitting is never lost
        self.save_state()
        super().closeEvent(event)


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs, for selecting thousands of rows at once."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
