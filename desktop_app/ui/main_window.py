"""The main window: sidebar | feed | abstract, with menus, toolbar, search and status bar.

Layout and wiring. The work is done by collaborators the window is given or builds: the job
:class:`~desktop_app.ui.controller.Controller`, the :class:`~desktop_app.ui.editor.Editor`
(undo), the :class:`~desktop_app.ui.navigator.Navigator` (which view, day and search), and
the tag and BibTeX controllers; the actions and menus are built in :mod:`ui.actions`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QListView,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME
from desktop_app.config import Settings
from desktop_app.domain import FeedQuery, Follow, Paper, SavedSearch, Sort
from desktop_app.errors import AppError
from desktop_app.library import views
from desktop_app.library.follow_jobs import CheckFollows, FollowsChecked
from desktop_app.library.jobs import (
    AddPapers,
    CountFeed,
    CountViews,
    Deleted,
    DeletePapers,
    FeedCount,
    Fetched,
    MarkedRead,
    MarkViewRead,
    ViewCounts,
)
from desktop_app.library.views import FOLLOWED_KINDS, ViewSpec, follow_spec
from desktop_app.store import Repository
from desktop_app.ui import ask
from desktop_app.ui.about import AboutController
from desktop_app.ui.abstract_view import AbstractView, is_safe_url
from desktop_app.ui.actions import Slots, bound, build_actions, build_menus
from desktop_app.ui.autoexport import AutoExportController
from desktop_app.ui.bibtex_controller import BibtexController, ViewInfo
from desktop_app.ui.controller import Controller
from desktop_app.ui.drops import DropController
from desktop_app.ui.editor import Editor
from desktop_app.ui.feed_delegate import FeedDelegate
from desktop_app.ui.feed_model import FeedModel, PaperIdRole, PaperRole
from desktop_app.ui.folders import RecentFolders
from desktop_app.ui.follow_controller import FollowController
from desktop_app.ui.fulltext import FulltextController
from desktop_app.ui.message_bar import MessageBar
from desktop_app.ui.narrow import fit_panes
from desktop_app.ui.navigator import Navigator
from desktop_app.ui.reader_controller import ReaderController
from desktop_app.ui.sidebar import Sidebar, SidebarModel, SpecRole
from desktop_app.ui.tag_controller import TagController
from desktop_app.ui.undo import DeletedPapersCommand, MarkedReadCommand, StateCommand

log = logging.getLogger(__name__)

COUNTED_VIEWS = (
    "daily",
    "today",
    "week",
    "foryou",
    "unread",
    "starred",
    "saved",
    "all",
    "trending",
)


class MainWindow(QMainWindow):
    """The application window. Built by :mod:`desktop_app.app` with its collaborators.

    Signals:
        countsUpdated(): the sidebar's view counts were refreshed (computed in the worker).
        followNews(object): papers new to followed items, not told before
            (:class:`desktop_app.library.follow.Announcement`): notify the user once.
        followCountChanged(int): how many papers new to followed items the user has not
            looked at (the tray's number).
    """

    countsUpdated = Signal()
    followNews = Signal(object)
    followCountChanged = Signal(int)

    def __init__(
        self,
        repo: Repository,
        controller: Controller,
        settings: Settings,
        qsettings: QSettings | None = None,
        save_settings: Callable[[Settings], None] | None = None,
    ) -> None:
        super().__init__()
        self.repo = repo
        self.controller = controller
        self.settings = settings
        self.qsettings = qsettings or QSettings()
        self._save_settings = save_settings
        self.setWindowTitle(APP_NAME)
        self._counts_generation = 0
        self._reloading = False
        self._auto_current = False  # the list chose the current paper, not the user
        self._for_you: FeedQuery | None = None  # the view ranked For you, while it is
        self._searches: list[SavedSearch] = []  # as the sidebar shows them
        self._follows: list[Follow] = []
        self._keys_parked = False  # the list was hidden while it had the keys

        # collaborators -------------------------------------------------------------
        self.editor = Editor(self)
        self.undo_stack = self.editor.stack
        # Open on today's list, or on the latest stored one (weekends have none).
        self.navigator = Navigator(repo, repo.latest_daily_day(date.today()) or date.today(), self)

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
        self.empty_label = ask.plain_label()
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()

        self.tags = TagController(
            repo,
            self.editor,
            self.selected_ids,
            self,
            lambda: self.delegate.tag_colors,
            self.suggest_tags,
        )
        self.bibtex = BibtexController(
            repo,
            controller,
            self.editor,
            lambda: self.settings,
            self.selected_ids,
            self.view_info,
            self,
            RecentFolders(self.qsettings),
        )
        self.autoexport = AutoExportController(
            repo,
            controller,
            self.message_bar,
            lambda text: self.statusBar().showMessage(text, 6000),
            self.autoexport_scopes,
            self,
            RecentFolders(self.qsettings),
        )
        self.follow = FollowController(repo, self.editor, self.current_search, self)
        self.about = AboutController(repo, self, self.on_status_message)
        self.acts = build_actions(
            self, [self.feed, self.sidebar, self.viewer], self._slots(), self.editor.stack
        )
        self.menus = build_menus(self.menuBar(), self.acts)
        # Papers dropped on the window or pasted into the list (Ctrl+V).
        self.drops = DropController(
            self,
            self.feed,
            self.viewer,
            controller,
            self.bibtex,
            self.on_related_paper_clicked,
            lambda text: self.message_bar.show_message(text, retry=False),
            [self.feed, self.sidebar, self.viewer],
            lambda paper_id, path: self.reading.attach(paper_id, path),
        )
        self.menus.edit.addAction(self.drops.paste_action)
        self._build_layout()
        self._build_status_bar()

        # The interest model learns in the worker a while after the library changed (tags,
        # stars, not interested…), never on the GUI thread (library.recommend).
        self.train_timer = QTimer(self)
        self.train_timer.setSingleShot(True)
        self.train_timer.setInterval(60_000)
        self.train_timer.timeout.connect(self.on_train_timer_timeout)
        # Related papers are looked for once the reader stays on a paper a moment.
        self.related_timer = QTimer(self)
        self.related_timer.setSingleShot(True)
        self.related_timer.setInterval(250)
        self.related_timer.timeout.connect(self.on_related_timer_timeout)
        self.mark_read_timer = QTimer(self)
        self.mark_read_timer.setSingleShot(True)
        self.mark_read_timer.timeout.connect(self.on_mark_read_timer_timeout)

        self._connect()
        self.restore_state()
        self.refresh_sidebar()
        self.sidebar.select_spec(self.navigator.spec)
        self.show_view(self.navigator.spec)
        self._focused_once = False

    # ------------------------------------------------------------------ building
    def _slots(self) -> Slots:
        nav, tags, bib = self.navigator, self.tags, self.bibtex
        return Slots(
            open=self.on_open_triggered,
            open_pdf=self.on_open_pdf_triggered,
            open_pdf_elsewhere=self.on_open_pdf_elsewhere_triggered,
            toggle_read=self.on_toggle_read_triggered,
            toggle_star=self.on_toggle_star_triggered,
            toggle_saved=self.on_toggle_saved_triggered,
            next_paper=bound(self.move_selection, 1),
            previous_paper=bound(self.move_selection, -1),
            page_abstract=self.on_page_triggered,
            delete=self.on_delete_triggered,
            mark_all_read=self.on_mark_all_read_triggered,
            find=nav.on_find_triggered,
            about=self.about.on_about_triggered,
            diagnostics=self.about.on_copy_diagnostics_triggered,
            preferences=self.on_preferences_triggered,
            quit=self.close,
            add_paper=self.on_add_paper_triggered,
            today=nav.on_today_triggered,
            refresh=self.on_refresh_triggered,
            previous_day=nav.on_previous_triggered,
            next_day=nav.on_next_triggered,
            tag=tags.on_tag_picker_triggered,
            quick_tag=lambda n: bound(tags.quick_tag, n),
            copy_link=self.on_copy_link_triggered,
            new_tag=tags.on_new_tag_triggered,
            export=bib.on_export_triggered,
            import_=bib.on_import_triggered,
            copy_bibtex=bib.on_copy_bibtex_triggered,
            keep_exported=self.autoexport.on_keep_exported_triggered,
            find_published=bib.on_find_published_triggered,
            shortcuts=self.on_shortcuts_triggered,
            save_search=self.follow.on_save_search_triggered,
            not_interested=self.on_not_interested_triggered,
        )

    def _build_layout(self) -> None:
        tb = self.addToolBar("Main")
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        self.toolbar = tb
        a = self.acts
        self.navigator.fill_toolbar(tb, a.refresh, a.prev, a.next)
        feed_box = QWidget()
        fl = QVBoxLayout(feed_box)
        fl.setContentsMargins(6, 6, 6, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(self.view_title, 1)
        title_row.addWidget(self.navigator.tag_mode_combo)
        fl.addLayout(title_row)
        fl.addWidget(self.message_bar)
        fl.addWidget(self.feed, 1)
        fl.addWidget(self.empty_label, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(feed_box)
        # The abstract's pane; the PDF reader joins it when a paper is first read.
        self.detail = QStackedWidget()
        self.detail.setObjectName("detailPane")
        self.detail.addWidget(self.viewer)
        self.splitter.addWidget(self.detail)
        fit_panes(self.splitter, self.view_title)
        self.setCentralWidget(self.splitter)
        self.reading = ReaderController(
            self.repo,
            self.settings,
            self.controller,
            self.splitter,
            self.detail,
            self.viewer,
            current_paper=self.current_paper,
            focus_list=self.focus_list,
            say=lambda text: self.message_bar.show_message(text, retry=False),
            open_url=self._open,
            add_papers=self.drops.add_papers,
            show_with_pdf=self.show_with_pdf,
            parent=self,
        )
        self.fulltext = FulltextController(
            self.controller,
            self.navigator,
            self.delegate,
            self.viewer,
            lambda text: self.message_bar.show_message(text, retry=False),
            self,
        )
        self.reading.found = self.fulltext.hit_for
        self.viewer.readAtPageRequested.connect(self.on_read_at_page_requested)

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
        # A click does not take the keys from the list (the button hides when the job ends,
        # and Qt would hand the focus to the toolbar's date field); Tab still reaches it.
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        for w in (self.progress_label, self.progress_bar, self.cancel_button):
            w.hide()
        sb.addWidget(self.count_label)
        sb.addPermanentWidget(self.offline_label)
        sb.addPermanentWidget(self.progress_label)
        sb.addPermanentWidget(self.progress_bar)
        sb.addPermanentWidget(self.cancel_button)

    def _connect(self) -> None:
        c = self.controller
        c.busy.connect(self.on_controller_busy)
        c.fetchStarted.connect(self.message_bar.hide)  # a new attempt: the old error goes
        c.progress.connect(self.on_controller_progress)
        c.done.connect(self.on_controller_done)
        c.failed.connect(self.on_controller_failed)
        c.cancelled.connect(self.on_controller_cancelled)
        c.idle.connect(self.on_controller_idle)
        c.libraryChanged.connect(self.on_controller_library_changed)
        c.onlineChanged.connect(self.on_controller_online_changed)
        self.cancel_button.clicked.connect(self.controller.cancel)
        self.message_bar.retry_button.clicked.connect(self.on_retry_clicked)
        self.editor.papersChanged.connect(self.after_edit)
        for changed in (self.editor.papersChanged, self.editor.tagsChanged):
            changed.connect(lambda *_: self.train_timer.start())
        self.editor.tagsChanged.connect(self.refresh_sidebar)
        self.editor.failed.connect(self.show_error)
        # Any change may change a kept file (auto-export): update them once it is quiet.
        for signal in (c.libraryChanged, self.editor.papersChanged, self.editor.tagsChanged):
            signal.connect(self.autoexport.schedule)
            # Text waiting to be read (an undone delete); the library's PDFs if so chosen.
            signal.connect(self.reading.schedule_background)
        self.reading.start()  # the cards' PDF marks from the start, then the library's PDFs
        nav = self.navigator
        nav.viewRequested.connect(self.show_view)
        nav.selectRequested.connect(self.sidebar.select_spec)
        nav.remoteSearchRequested.connect(self.search_remote)
        self.tags.message.connect(self.on_status_message)
        self.follow.message.connect(self.on_status_message)
        self.follow.show.connect(self.sidebar.select_spec)
        self.follow.searchDeleted.connect(self.on_search_deleted)
        self.follow.searchRenamed.connect(self.on_search_renamed)
        self.tags.renamed.connect(nav.follow_rename)
        self.tags.deleted.connect(self.on_tag_deleted)
        self.tags.orderChanged.connect(self.refresh_sidebar)
        self.menus.favourites.aboutToShow.connect(self.on_favourites_menu_about_to_show)
        self.sidebar.viewSelected.connect(self.show_view)
        # A view picked with the mouse or Enter hands the keys to its list (arrow keys in
        # the views still walk through them).
        self.sidebar.clicked.connect(self.focus_list)
        self.sidebar.activated.connect(self.focus_list)
        nav.searchLeft.connect(self.on_search_left)
        nav.forYouRequested.connect(self.rank_for_you)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self.on_app_focus_changed)
        self.sidebar.tagsSelected.connect(self.on_sidebar_tags_selected)
        self.sidebar.customContextMenuRequested.connect(self.on_sidebar_context_menu)
        self.sidebar_model.papersDropped.connect(self.on_papers_dropped)
        self.feed.selectionModel().currentChanged.connect(self.on_feed_current_changed)
        self.feed.doubleClicked.connect(self.on_open_triggered)
        self.feed.customContextMenuRequested.connect(self.on_feed_context_menu)
        self.feed_model.countChanged.connect(self.on_feed_count_changed)
        self.feed_model.modelReset.connect(self.on_feed_reset)
        self.viewer.noteEdited.connect(self.on_note_edited)
        self.viewer.copyBibtexRequested.connect(self.on_viewer_copy_bibtex)
        self.viewer.paperRequested.connect(self.on_related_paper_clicked)
        self.viewer.notInterestedRequested.connect(self.on_viewer_not_interested)
        self.viewer.linkFailed.connect(self.show_error)

    # ------------------------------------------------------------------ views
    @property
    def spec(self) -> ViewSpec:
        return self.navigator.spec

    def autoexport_scopes(self) -> list[tuple[str, str | None, str]]:
        """What a new kept file may hold: the library, the tag shown, the search typed."""
        scopes: list[tuple[str, str | None, str]] = [("The library (saved papers)", None, "")]
        spec = self.navigator.spec
        if spec.kind == "tag" and spec.tag:
            scopes.append((f"Tag {spec.tag} and its sub-tags", spec.tag, ""))
        text = self.feed_model.query.text.strip()
        if text:
            scopes.append((f"The library's papers matching {text!r}", None, text))
        return scopes

    def view_info(self) -> ViewInfo:
        spec = self.navigator.spec
        return ViewInfo(
            label=self.navigator.view_label(spec),
            query=self.feed_model.query,
            total=self.feed_model.total,
            tag=spec.tag if spec.kind == "tag" else None,
        )

    @Slot(object)
    def show_view(self, spec: ViewSpec) -> None:
        if spec.kind != "search":
            # Search text left in the box would look like a filter on this view.
            self.navigator.drop_unapplied_search()
        self.navigator.enter(spec)
        self._for_you = None  # a view opens in its own order; For you is chosen again
        self.viewer.reasons = {}
        self._mark_follow_seen(spec)
        self.delegate.view_kind = spec.kind  # a daily rank is shown in Hugging Face's lists only
        self.fulltext.on_view_shown(spec)
        self.view_title.setText(self.navigator.view_label(spec))
        self.feed_model.set_query(self.navigator.query_for(spec))
        if spec.kind == "daily":
            # The Daily entry counts the day (week, month) shown; a newer count supersedes
            # any still running for the previous date.
            self.refresh_view_counts()
        if spec.kind == "foryou":  # the view is the ranking: chosen for the reader
            self.navigator.show_sort("for-you")
            self.rank_for_you()
        if not self.feed.currentIndex().isValid():
            self.show_first_row()

    def _mark_follow_seen(self, spec: ViewSpec) -> None:
        """Opening a followed item's view is looking at its news: the badge goes."""
        if not self.sidebar_model.badges.get(spec):
            return
        follow = next((f for f in self._follows if follow_spec(f) == spec), None)
        if follow is None:
            return
        try:
            self.repo.follows_store.mark_seen(follow.id)
        except AppError as exc:
            self.show_error(str(exc))
            return
        self.sidebar_model.badges[spec] = 0
        self.sidebar_model.apply_badges()
        self.followCountChanged.emit(self.repo.follows_store.unseen())

    def check_follows(self) -> None:
        """Look for papers new to followed items (after a refresh), in the worker."""
        if self._follows:
            self.controller.run(CheckFollows(), self.on_follows_checked, quiet=True)

    def on_follows_checked(self, result: FollowsChecked) -> None:
        self.refresh_sidebar()
        if result.announcement is not None:
            self.followNews.emit(result.announcement)

    def show_follow(self, follow_id: int) -> None:
        """Show the view of a followed item (a notification was clicked), raising the window."""
        self.showNormal()
        self.raise_()
        self.activateWindow()
        follow = next((f for f in self._follows if f.id == follow_id), None)
        if follow is not None:
            self.sidebar.select_spec(follow_spec(follow))

    @Slot()
    def rank_for_you(self) -> None:
        """Sort *For you*: the interest model ranks the view's papers, in the worker."""
        from desktop_app.library.interest_jobs import RankView

        query = self.navigator.query_for(self.spec)
        self.controller.run(RankView(query), self.on_ranked_for_you)

    def on_ranked_for_you(self, result: Any) -> None:
        if self.navigator.sort_combo.currentData() != "for-you":
            return  # another sort or view was chosen meanwhile
        if result.message:  # too few papers to learn from: say so, keep the order
            self.message_bar.show_message(result.message, retry=False)
            self.navigator.show_sort(self.feed_model.query.sort)
            return
        self.viewer.reasons = {r.paper_id: r.reason for r in result.ranked}
        self._for_you = FeedQuery(ids=tuple(r.paper_id for r in result.ranked), sort=Sort.RELEVANCE)
        self.feed_model.set_query(self._for_you)
        label = self.navigator.view_label(self.spec)
        self.view_title.setText(label if self.spec.kind == "foryou" else f"{label} · For you")
        self.show_first_row()

    @Slot()
    def on_not_interested_triggered(self) -> None:
        """``x``: not interested in the selected papers (hidden from For you; undoable)."""
        self.not_interested(self.selected_ids())

    @Slot(str)
    def on_viewer_not_interested(self, paper_id: str) -> None:
        self.not_interested([paper_id])

    def not_interested(self, ids: list[str]) -> None:
        from desktop_app.ui.undo import CallEdit

        if not ids:
            return
        repo, n = self.repo, len(ids)

        def refresh(_ids: list[str]) -> None:
            self.editor.refresh(ids)
            if self._for_you is not None:
                self.rank_for_you()  # ranked again: the paper goes (or comes back)

        self.editor.run(
            CallEdit(
                f"Not interested ({n})",
                lambda: repo.set_not_interested(ids, True),
                lambda: repo.set_not_interested(ids, False),
                refresh,
            )
        )
        self.on_status_message(
            f"Not interested in {n} paper{'s' if n != 1 else ''}: hidden from For you "
            "(Ctrl+Z takes it back)."
        )

    def show_first_row(self) -> None:
        """Make the first paper the current one: shown, not chosen (it is not marked read
        until the user moves)."""
        if not self.feed_model.rowCount():
            return
        self._auto_current = True
        try:
            self.feed.setCurrentIndex(self.feed_model.index(0))
        finally:
            self._auto_current = False

    @Slot()
    def focus_list(self) -> None:
        """Give the keys to the list (to the views while the list is empty: the list takes
        them back when it fills, e.g. when a full-text search answers)."""
        if self.feed.isVisibleTo(self):
            self.feed.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.sidebar.setFocus(Qt.FocusReason.OtherFocusReason)
            self._keys_parked = True

    @Slot()
    def on_search_left(self) -> None:
        """Enter or ↓ in the search box: the first result, with the keys in the list."""
        self.show_first_row()
        self.focus_list()

    def on_app_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        """Focus coming back to the window (a dialog closed, the window was activated) goes
        to the list, not to the first widget of the tab chain (the toolbar's date field,
        where ``↓`` changes the date)."""
        if new is None or new.window() is not self:
            return
        if new in self.navigator.toolbar_widgets() and (old is None or old.window() is not self):
            QTimer.singleShot(0, self.focus_list)

    def reload_view(self) -> None:
        """Re-run the view after the library changed, keeping the selection, the current
        paper and the viewer (with the note being typed) as they were."""
        current = self.feed.currentIndex().data(PaperIdRole)
        selected = self.selected_ids()
        self._reloading = True
        try:
            self.feed_model.reload(self._for_you or self.navigator.query_for(self.spec))
        finally:
            self._reloading = False
        self.view_title.setText(self.navigator.view_label(self.spec))
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
        self.reading.on_current_paper(self.current_paper())  # the paper read may have gone
        self.viewer.show_paper(self.current_paper())
        self._update_empty_state(self.feed_model.rowCount())

    def refresh_sidebar(self) -> None:
        tags = self.repo.tags()
        # Read once here; the counts below use the same lists.
        self._searches, self._follows = self.repo.saved_searches(), self.repo.follows()
        self.sidebar_model.set_followed(self._searches, self._follows)
        self.sidebar_model.set_tags(tags, self.repo.tag_counts_with_children(), self.tags.tag_order)
        empty = self.sidebar_model.empty_roots()
        for row in range(self.sidebar_model.rowCount()):
            root = self.sidebar_model.index(row, 0)
            self.sidebar.setRowHidden(row, root.parent(), root in empty)
        self.followCountChanged.emit(self.repo.follows_store.unseen())
        self.sidebar.restore_expansion()
        self.sidebar.show_spec(self.spec)  # rebuilding the tree dropped the highlight
        self.delegate.tag_colors = {t.name.casefold(): t.color for t in tags}
        self.viewer.tag_colors = self.delegate.tag_colors
        self.refresh_view_counts()

    def refresh_view_counts(self) -> None:
        """Recount the smart views on the reader (bulk work over a large library)."""
        queries = {
            kind: self.navigator.unscoped_query_for(ViewSpec(kind)) for kind in COUNTED_VIEWS
        }
        # Saved searches and followed authors and organizations are counted like views.
        for search in self._searches:
            spec = ViewSpec("smart", name=search.name)
            queries[f"smart:{search.name}"] = self.navigator.unscoped_query_for(spec)
        for follow in self._follows:
            spec = follow_spec(follow)
            if spec.kind in ("author", "org"):
                queries[f"{spec.kind}:{spec.name}"] = self.navigator.unscoped_query_for(spec)
        self._counts_generation += 1
        self.controller.read(CountViews(queries, self._counts_generation), self.on_view_counts)

    def count_in_background(self, query: FeedQuery) -> None:
        self.controller.read(CountFeed(query), self.on_feed_counted)

    def on_feed_counted(self, result: FeedCount) -> None:
        self.feed_model.set_total(result.query, result.total)

    def on_view_counts(self, result: ViewCounts) -> None:
        if result.generation != self._counts_generation:
            return
        for kind, (total, unread) in result.counts.items():
            if ":" in kind:
                followed, _, name = kind.partition(":")
                self.sidebar_model.set_spec_count(ViewSpec(followed, name=name), total, unread)
            else:
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
        self.reading.on_current_paper(self.current_paper())
        self.viewer.show_paper(self.current_paper())
        self._update_empty_state(self.feed_model.rowCount())

    def _update_empty_state(self, total: int) -> None:
        if total:
            self.empty_label.hide()
            self.feed.show()
            if self._keys_parked and self.sidebar.hasFocus():
                self.feed.setFocus(Qt.FocusReason.OtherFocusReason)  # the keys come back
            self._keys_parked = False
            return
        self.empty_label.setText(self.empty_hint())
        if self.feed.hasFocus():
            # Hiding the focused list would send the keys to the toolbar's date field.
            self.sidebar.setFocus(Qt.FocusReason.OtherFocusReason)
            self._keys_parked = True
        self.feed.hide()
        self.empty_label.show()

    def empty_hint(self) -> str:
        """What an empty list says (see :func:`desktop_app.library.views.empty_hint`)."""
        return views.empty_hint(self.spec, self.navigator.view_state(), self.repo)

    @Slot(list)
    def on_sidebar_tags_selected(self, names: list[str]) -> None:
        self.show_view(ViewSpec("tags", tags=tuple(names)))

    @Slot(str, str)
    def on_search_renamed(self, old: str, new: str) -> None:
        """The saved search shown was renamed (or a rename undone): show it by its name."""
        if self.spec.kind == "smart" and self.spec.name.casefold() == old.casefold():
            self.navigator.spec = ViewSpec("smart", name=new)

    @Slot(str)
    def on_search_deleted(self, name: str) -> None:
        if self.spec.kind == "smart" and self.spec.name.casefold() == name.casefold():
            self.sidebar.select_spec(ViewSpec("all"))

    @Slot(str)
    def on_tag_deleted(self, name: str) -> None:
        key = name.casefold()
        if self.spec.kind == "tag" and (
            self.spec.tag.casefold() == key or self.spec.tag.casefold().startswith(key + "/")
        ):
            self.sidebar.select_spec(ViewSpec("all"))

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

    @Slot(QModelIndex, QModelIndex)
    def on_feed_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        paper = current.data(PaperRole) if current.isValid() else None
        self.reading.on_current_paper(paper)
        self.viewer.show_paper(paper)
        self.mark_read_timer.stop()
        self.related_timer.start()
        chosen = not self._auto_current and not self._reloading
        if chosen and paper is not None and not paper.read and self.settings.mark_read_after_ms:
            self.mark_read_timer.start(self.settings.mark_read_after_ms)

    def suggest_tags(self, paper_id: str, on_done: Callable[[Any], None]) -> None:
        """The interest model's tags for a paper, found in the reader (the tag dialog)."""
        from desktop_app.library.interest_jobs import SuggestTags

        self.controller.read(SuggestTags(paper_id), on_done)

    @Slot()
    def on_train_timer_timeout(self) -> None:
        from desktop_app.library.interest_jobs import TrainInterests

        self.controller.run(TrainInterests(), lambda _result: None, quiet=True)

    @Slot()
    def on_related_timer_timeout(self) -> None:
        from desktop_app.library.interest_jobs import FindRelated

        paper = self.viewer.paper
        if paper is not None and self.viewer.related[0] != paper.id:
            self.controller.read(FindRelated(paper.id), self.on_related_found)

    def on_related_found(self, result: Any) -> None:
        self.viewer.set_related(result.paper_id, result.papers)

    @Slot(str)
    def on_related_paper_clicked(self, paper_id: str) -> None:
        """A related paper clicked in the abstract: shown there (the list stays)."""
        try:
            self.viewer.show_paper(self.repo.get(paper_id))
        except AppError as exc:
            self.show_error(str(exc))
            return
        self.related_timer.start()

    @Slot()
    def on_mark_read_timer_timeout(self) -> None:
        """A paper the user moved to and stayed on is read. Not an undo step of its own
        (Ctrl+Z goes to the user's last edit, not to a dozen automatic marks); ``m`` or an
        undo of an edit that touched it sets it back."""
        paper = self.current_paper()
        if paper is None or paper.read:
            return
        try:
            self.repo.set_read([paper.id], True)
        except AppError as exc:
            self.show_error(str(exc))
            return
        self.after_edit([paper.id])

    # ------------------------------------------------------------------ edits
    def set_state(self, ids: list[str], what: str, value: bool) -> None:
        self.editor.run(StateCommand(self.repo, ids, what, value, self.editor.refresh))

    @Slot(str)
    def show_error(self, message: str) -> None:
        self.message_bar.show_message(message, retry=False)

    @Slot(list)
    def after_edit(self, ids: list[str]) -> None:
        """Repaint touched rows (or the whole view after tag edits) and the sidebar counts."""
        if ids:
            self.feed_model.refresh_papers(ids)
            current = self.current_paper()
            if current is not None and current.id in ids:
                self.viewer.show_paper(current)
            # The rows stay where they are (a paper just read does not vanish from Unread
            # under the reader), but the view's count follows the library, so the status
            # bar, the sidebar and the export dialog give the same number.
            self.count_in_background(self.feed_model.query)
        else:
            self.reload_view()
        self.refresh_sidebar()

    def _toggle(self, what: str) -> None:
        ids = self.selected_ids()
        flags = self.repo.flags(ids)
        if not flags:
            return
        column = ("read", "starred", "saved").index(what)
        self.set_state(ids, what, not all(f[column] for f in flags.values()))

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
    def on_page_triggered(self) -> None:
        """Space: the next screen of the abstract, and at its end the next paper."""
        if not self.viewer.page_down():
            self.move_selection(1)

    @Slot()
    def on_shortcuts_triggered(self) -> None:
        from desktop_app.ui.dialogs import ShortcutSheet, shortcut_rows

        m = self.menus
        rows = shortcut_rows([m.file, m.edit, m.view, m.paper, m.help], self.acts.quick)
        ShortcutSheet(rows, self).exec()

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
            self.controller.run(DeletePapers(tuple(ids)), self.on_papers_deleted)

    def on_papers_deleted(self, result: Deleted) -> None:
        if result.snapshot.papers:
            self.editor.push_applied(
                DeletedPapersCommand(self.repo, result.snapshot, self.editor.refresh)
            )

    @Slot()
    def on_mark_all_read_triggered(self) -> None:
        self.controller.run(MarkViewRead(self.feed_model.query), self.on_marked_read)

    def on_marked_read(self, result: MarkedRead) -> None:
        if result.ids:  # done in the worker: put it on the undo stack as already applied
            self.editor.push_applied(
                MarkedReadCommand(self.repo, list(result.ids), self.editor.refresh)
            )

    @Slot(str, str)
    def on_note_edited(self, paper_id: str, text: str) -> None:
        """A note is saved as it is typed; it is not an undo step of its own."""
        try:
            self.repo.set_note(paper_id, text)
        except AppError as exc:
            self.show_error(str(exc))
            return
        self.after_edit([paper_id])

    @Slot(list, str)
    def on_papers_dropped(self, ids: list[str], tag: str) -> None:
        from desktop_app.ui.undo import TagPapersCommand

        self.editor.run(TagPapersCommand(self.repo, ids, [tag], [], self.editor.refresh))

    @Slot(str)
    def on_viewer_copy_bibtex(self, paper_id: str) -> None:
        self.bibtex.copy_bibtex([paper_id])

    # ------------------------------------------------------------------ menus and links
    @Slot()
    def on_favourites_menu_about_to_show(self) -> None:
        self.tags.fill_favourites_menu(self.menus.favourites)

    @Slot(QPoint)
    def on_feed_context_menu(self, pos: QPoint) -> None:
        if not self.selected_ids():
            return
        a = self.acts
        menu = QMenu(self)
        for action in (a.open, a.open_pdf, a.copy_link, a.copy_bib, None, a.read, a.star):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        menu.addAction(a.save)
        menu.addAction(a.delete)
        menu.addSeparator()
        menu.addAction(a.tag)
        self.tags.add_paper_menus(menu)
        self.follow.add_paper_items(menu, self.current_paper())
        self.context_menu = menu  # kept for tests
        menu.popup(self.feed.viewport().mapToGlobal(pos))

    @Slot(QPoint)
    def on_sidebar_context_menu(self, pos: QPoint) -> None:
        spec = self.sidebar.indexAt(pos).siblingAtColumn(0).data(SpecRole)
        if spec is not None and spec.kind in FOLLOWED_KINDS:
            menu = QMenu(self)
            self.follow.add_sidebar_items(menu, spec)
            self.follow.context_menu = menu
            menu.popup(self.sidebar.viewport().mapToGlobal(pos))
            return
        self.tags.show_sidebar_menu(
            self.sidebar,
            pos,
            self.acts.new_tag,
            lambda menu: self.follow.add_sidebar_items(menu, spec),
        )

    def current_search(self) -> SavedSearch:
        """The search and filters shown now, as a saved search to be named."""
        spec, state = self.navigator.spec, self.navigator.view_state()
        text = state.search_text.strip()
        tags = spec.tags if spec.kind == "tags" else (spec.tag,) if spec.kind == "tag" else ()
        if spec.kind == "smart":
            try:
                base = self.repo.saved_search(spec.name)
            except AppError:
                base = SavedSearch(spec.name)
            return replace(base, name=f"{base.name} (copy)", id=None)
        return SavedSearch(
            name=text or (tags[0].split("/")[-1] if tags else ""),
            text=text,
            tags=tags,
            tag_mode=state.tag_mode if spec.kind == "tags" else "all",
            unread=spec.kind == "unread",
            starred=spec.kind == "starred",
            saved=spec.kind == "saved",
            days=7 if spec.kind == "week" else None,
            sort=self.feed_model.query.sort
            if self.feed_model.query.sort in (Sort.DATE, Sort.UPVOTES, Sort.RELEVANCE)
            else Sort.DATE,
        )

    @Slot()
    def on_copy_link_triggered(self) -> None:
        links = [p.arxiv_url or p.id for p in self.repo.get_many(self.selected_ids())]
        if links:
            QApplication.clipboard().setText("\n".join(links))
            self.on_status_message(f"Copied {len(links)} link(s).")

    def _open(self, url: str | None) -> None:
        if url and is_safe_url(url):
            self.viewer.open_link(QUrl(url))

    @Slot()
    def on_open_triggered(self) -> None:
        paper = self.current_paper()
        if paper is not None:
            self._open(paper.hf_url or paper.arxiv_url)

    @Slot()
    def on_open_pdf_triggered(self) -> None:
        self.reading.on_open_pdf_triggered()

    def show_with_pdf(self, paper_ids: frozenset[str]) -> None:
        """Mark the cards of the papers whose PDF is downloaded."""
        if paper_ids != self.delegate.with_pdf:
            self.delegate.with_pdf = paper_ids
            self.feed.viewport().update()

    @Slot(str, int)
    def on_read_at_page_requested(self, paper_id: str, page: int) -> None:
        paper = self.current_paper()
        if paper is not None and paper.id == paper_id:
            self.reading.open_paper(paper, page, self.fulltext.text)

    @Slot()
    def on_open_pdf_elsewhere_triggered(self) -> None:
        self.reading.on_open_pdf_elsewhere_triggered()

    @Slot(str)
    def on_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 5000)

    # ------------------------------------------------------------------ jobs
    @Slot()
    def on_refresh_triggered(self) -> None:
        nav = self.navigator
        kind = self.spec.kind
        if kind == "daily":
            self.controller.fetch_daily(nav.day, nav.mode)
        elif kind == "trending":
            self.controller.fetch_trending()
        elif kind == "search" and nav.search_box.text().strip():
            self.search_remote(nav.search_box.text().strip())
        else:
            self.controller.fetch_daily(date.today(), "day")

    @Slot(str)
    def search_remote(self, text: str) -> None:
        self.controller.search_remote(text, self.on_remote_search_done)

    def on_remote_search_done(self, _result: Fetched) -> None:
        self.sidebar.select_spec(ViewSpec("search"))
        self.show_view(ViewSpec("search"))

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
        if isinstance(result, Fetched):
            self.check_follows()
        # The error banner stays: a job only clears what it owns (a new fetch clears the
        # last one's error when it starts), and an export that worked resolves no fetch.
        self.statusBar().showMessage(text, 8000)
        daily = isinstance(result, Fetched) and result.label.startswith("Daily papers")
        if daily and self.spec.kind == "daily" and not self.feed_model.rowCount():
            # Nothing for the day shown (a weekend, or too early): go to the newest list.
            latest = self.repo.latest_daily_day(date.today())
            if latest is not None and latest != self.navigator.day:
                self.navigator.set_day(latest)

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
        self.navigator.mark_calendar()

    @Slot(bool)
    def on_controller_online_changed(self, online: bool) -> None:
        self.offline_label.setVisible(not online)

    @Slot(str)
    def on_controller_crashed(self, details: str) -> None:
        from desktop_app.ui import crash

        crash.report(details, self)

    # ------------------------------------------------------------------ dialogs
    @Slot()
    def on_preferences_triggered(self) -> None:
        from desktop_app.ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self.settings, self)
        if dialog.exec():
            self.apply_settings(dialog.result_settings())

    def apply_settings(self, settings: Settings) -> None:
        self.reading.apply_settings(settings)  # a smaller quota applies now
        self.settings = settings
        self.controller.settings = settings
        self.controller.host.set_settings(settings.effective())
        self.delegate.set_show_thumbnails(settings.show_thumbnails)
        if self._save_settings:
            self._save_settings(settings)
        from desktop_app.ui.theme import apply_theme

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, settings.theme)
        self.controller.start_auto_refresh()

    @Slot()
    def on_add_paper_triggered(self) -> None:
        text = ask.ask_text(
            self, "Add papers", "arXiv ids or arXiv / Hugging Face URLs (separate by spaces):"
        )
        if text and text.split():
            self.controller.run(AddPapers(tuple(text.split())))

    # ------------------------------------------------------------------ persistence
    def restore_state(self) -> None:
        s = self.qsettings
        for key, restore in (
            ("window/geometry", self.restoreGeometry),
            ("window/state", self.restoreState),
            ("window/splitter", self.splitter.restoreState),
            ("window/viewerSplitter", self.viewer.split.restoreState),
        ):
            value = s.value(key)
            if isinstance(value, QByteArray | bytes):
                restore(QByteArray(value))
            elif key == "window/geometry":
                self.resize(1280, 800)
        self.navigator.restore(s)
        self._move_old_favourites(s)
        if s.value("tags/order") in ("name", "count"):
            self.tags.tag_order = str(s.value("tags/order"))

    def _move_old_favourites(self, s: QSettings) -> None:
        """Favourite tags used to live in window.ini; they live in the library now."""
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

    def save_state(self) -> None:
        self.reading.leave_sizes()  # the panes as they are when not reading
        s = self.qsettings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/viewerSplitter", self.viewer.split.saveState())
        self.navigator.save(s)
        s.setValue("tags/order", self.tags.tag_order)
        s.sync()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._focused_once:
            # Keys go to the list when the window opens (to the views when the list is
            # empty), not to the first widget of the tab chain: the toolbar's date field,
            # which takes Ctrl+E as "end of line" instead of Export….
            self._focused_once = True
            (self.feed if self.feed.isVisibleTo(self) else self.sidebar).setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.viewer.flush_note()  # a note typed just before quitting is never lost
        self.reading.save_page()
        self.save_state()
        super().closeEvent(event)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs, for selecting thousands of rows at once."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
