"""Organizing: tag picker, favourite keys, undo/redo of every edit, counts, filters."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from ui_support import answering, loaded_ids, paper_at

from desktop_app.domain import PaperRecord
from desktop_app.errors import InvalidInputError
from desktop_app.library.edits import MergePlan, PaperStates, restore_snapshots, snapshot_subtree
from desktop_app.library.jobs import Call
from desktop_app.store import Repository
from desktop_app.ui.dialogs import TagPicker
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sidebar import ViewSpec
from desktop_app.ui.undo import TagPapersCommand

IDS = [f"2611.{i:05d}" for i in range(6)]


@pytest.fixture
def lib(repo: Repository) -> Repository:
    repo.upsert_papers(
        [
            PaperRecord(id=pid, title=f"Paper {i}", abstract="x", published=date(2026, 11, 1 + i))
            for i, pid in enumerate(IDS)
        ]
    )
    return repo


@pytest.fixture
def win(make_window, lib: Repository) -> MainWindow:
    w = make_window(lib, show=True)
    w.sidebar.select_spec(ViewSpec("all"))
    return w


def select(w: MainWindow, *rows: int) -> None:
    from PySide6.QtCore import QItemSelectionModel

    sm = w.feed.selectionModel()
    sm.clearSelection()
    for r in rows:
        sm.select(w.feed_model.index(r), QItemSelectionModel.SelectionFlag.Select)
    sm.setCurrentIndex(w.feed_model.index(rows[0]), QItemSelectionModel.SelectionFlag.NoUpdate)


def state(repo: Repository, pid: str) -> tuple:
    p = repo.get(pid)
    return p.read, p.starred, p.saved, p.tags


# ------------------------------------------------------------------ Qt-free snapshots
def test_paper_states_restore_exactly(lib: Repository) -> None:
    lib.set_read([IDS[0]])
    before = PaperStates.take(lib, IDS[:2])
    lib.set_starred(IDS[:2])  # also saves
    lib.set_read(IDS[:2], False)
    before.restore(lib)
    assert state(lib, IDS[0])[:3] == (True, False, False)
    assert state(lib, IDS[1])[:3] == (False, False, False)


def test_delete_and_restore_a_subtree(lib: Repository) -> None:
    lib.tag_papers(IDS[:2], ["ml"])
    lib.tag_papers(IDS[2:3], ["ml/pruning"])
    lib.set_tag_color("ml/pruning", "#ff0000")
    snap = snapshot_subtree(lib, "ml")
    lib.delete_tag("ml")
    assert lib.tags() == []
    restore_snapshots(lib, snap)
    assert {t.name: t.color for t in lib.tags()} == {"ml": None, "ml/pruning": "#ff0000"}
    assert lib.get(IDS[2]).tags == ("ml/pruning",)


def test_merge_plan_undo_removes_only_what_the_merge_added(lib: Repository) -> None:
    lib.tag_papers(IDS[:2], ["a"])
    lib.tag_papers(IDS[1:3], ["b"])
    lib.tag_papers(IDS[3:4], ["a/x"])
    plan = MergePlan.take(lib, "a", "b")
    lib.merge_tags("a", "b")
    assert {t.name for t in lib.tags()} == {"b", "b/x"}
    plan.undo(lib)
    assert {t.name for t in lib.tags()} == {"a", "a/x", "b"}
    assert [p.id for p in lib.get_many(IDS) if "b" in p.tags] == IDS[1:3]
    assert [p.id for p in lib.get_many(IDS) if "a" in p.tags] == IDS[:2]


def test_favourite_tags_live_in_the_library_and_keep_their_keys(lib: Repository) -> None:
    for name in ("ml", "ml/moe", "vision", "to-read", "llm/agents"):
        lib.create_tag(name)
    got = lib.set_favourite_tags({3: "vision", 1: "ML/MoE", 5: "nope", 7: "vision", 8: "/"})
    assert got == {1: "ml/moe", 3: "vision"}  # unknown skipped; a repeat keeps the lower key
    assert lib.favourite_tags() == got
    assert lib.set_favourite_tags({2: "llm", 4: "new"}, create=True) == {2: "llm", 4: "new"}
    assert {"llm", "new"} <= {t.name for t in lib.tags()}  # made tags of their own
    lib.set_favourite_tags({1: "ml/moe", 3: "vision", 4: "to-read", 6: "llm"})
    lib.rename_tag("ml", "ai")  # from the command line, say: the key stays on the tag
    assert lib.favourite_tags() == {1: "ai/moe", 3: "vision", 4: "to-read", 6: "llm"}
    lib.merge_tags("vision", "llm/agents")  # the key passes to the tag that took the papers
    assert lib.favourite_tags() == {1: "ai/moe", 3: "llm/agents", 4: "to-read", 6: "llm"}
    lib.merge_tags("llm/agents", "to-read")  # ... unless it has a key of its own
    assert lib.favourite_tags() == {1: "ai/moe", 4: "to-read", 6: "llm"}
    lib.delete_tag("ai")  # the others keep their keys
    assert lib.favourite_tags() == {4: "to-read", 6: "llm"}
    with pytest.raises(InvalidInputError):
        lib.set_favourite_tags({10: "llm"})
    assert lib.set_favourite_tags({}) == {} and lib.favourite_tags() == {}


def test_undoing_a_delete_or_merge_gives_favourite_keys_back(lib: Repository) -> None:
    for name in ("x", "a", "a/sub", "b"):
        lib.create_tag(name)
    lib.set_favourite_tags({1: "x", 2: "a/sub", 5: "a"})
    snap = snapshot_subtree(lib, "a")
    lib.delete_tag("a")
    assert lib.favourite_tags() == {1: "x"}
    restore_snapshots(lib, snap)
    assert lib.favourite_tags() == {1: "x", 2: "a/sub", 5: "a"}

    plan = MergePlan.take(lib, "a", "b")
    lib.merge_tags("a", "b")
    assert lib.favourite_tags() == {1: "x", 2: "b/sub", 5: "b"}
    plan.undo(lib)
    assert lib.favourite_tags() == {1: "x", 2: "a/sub", 5: "a"}

    # A key given to another tag meanwhile is not taken back from it.
    snap = snapshot_subtree(lib, "a")
    lib.delete_tag("a")
    lib.set_favourite_tags({1: "x", 2: "b", 3: "x-ray"}, create=True)
    restore_snapshots(lib, snap)
    assert lib.favourite_tags() == {1: "x", 2: "b", 3: "x-ray", 5: "a"}


# ------------------------------------------------------------------ window
def test_favourites_kept_by_an_older_version_move_into_the_library(
    make_window, lib: Repository, tmp_path
) -> None:
    from PySide6.QtCore import QSettings

    lib.create_tag("To-Read")
    lib.create_tag("llm/agents")
    old = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    # As version 1 saved them: key 2 is a parent in the tree, key 3 a tag not made yet.
    old.setValue("tags/favourites", "to-read\nllm\nlater")
    old.sync()
    w = make_window(lib)
    assert w.tags.favourites == {1: "To-Read", 2: "llm", 3: "later"}  # every key as it was
    assert lib.favourite_tags() == w.tags.favourites
    assert w.qsettings.value("tags/favourites") is None
    w.save_state()
    assert w.qsettings.value("tags/favourites") is None


def test_a_parent_in_the_tag_tree_can_be_a_favourite(win: MainWindow) -> None:
    win.repo.tag_papers(IDS[:1], ["llm/agents"])
    win.refresh_sidebar()
    win.tags.set_favourite("llm", True)  # shown in the tree, but not a tag of its own yet
    assert win.tags.favourites == {1: "llm"}
    select(win, 1)
    pid = paper_at(win.feed_model, 1).id
    win.feed.setFocus()
    QTest.keyClick(win.feed, Qt.Key.Key_1)
    assert win.repo.get(pid).tags == ("llm",)


def test_tag_picker_with_completion_creates_on_enter(win: MainWindow, qtbot) -> None:
    win.repo.create_tag("vision/diffusion")
    select(win, 0, 1)

    def type_in_picker() -> None:
        picker = next(w for w in win.findChildren(TagPicker) if w.isVisible())
        picker.completer.setCompletionPrefix("diff")
        assert picker.completer.currentCompletion() == "vision/diffusion"
        QTest.keyClicks(picker.edit, "brand-new")
        QTest.keyClick(picker.edit, Qt.Key.Key_Return)

    QTimer.singleShot(0, type_in_picker)
    win.feed.setFocus()
    QTest.keyClick(win.feed, Qt.Key.Key_T)
    rows = [paper_at(win.feed_model, r).id for r in (0, 1)]
    for pid in rows:
        assert win.repo.get(pid).tags == ("brand-new",)
        assert win.repo.get(pid).saved
    assert win.sidebar_model.tag_index("brand-new").isValid()


def test_quick_tag_keys_toggle_favourites(win: MainWindow) -> None:
    win.repo.create_tag("to-read")
    win.tags.set_favourite("to-read", True)
    select(win, 0)
    pid = paper_at(win.feed_model, 0).id
    win.feed.setFocus()
    QTest.keyClick(win.feed, Qt.Key.Key_1)
    assert win.repo.get(pid).tags == ("to-read",)
    QTest.keyClick(win.feed, Qt.Key.Key_1)
    assert win.repo.get(pid).tags == ()
    QTest.keyClick(win.feed, Qt.Key.Key_2)  # no favourite 2: a hint, no change
    assert "No favourite tag 2" in win.statusBar().currentMessage()


def test_undo_redo_of_tagging_star_read_save(win: MainWindow) -> None:
    select(win, 0)
    pid = paper_at(win.feed_model, 0).id
    original = state(win.repo, pid)
    win.tags.tag_selection(["ml/pruning"])
    win.on_toggle_star_triggered()
    win.on_toggle_read_triggered()
    win.on_toggle_saved_triggered()  # saved was set by the star: this unsaves
    after = state(win.repo, pid)
    assert after == (True, True, False, ("ml/pruning",))
    for _ in range(4):
        win.editor.stack.undo()
    assert state(win.repo, pid) == original
    assert win.repo.tags() == []  # the tag created by tagging is gone again
    for _ in range(4):
        win.editor.stack.redo()
    assert state(win.repo, pid) == after
    assert paper_at(win.feed_model, 0).starred  # rows repaint after undo/redo


def test_undo_of_tag_rename_merge_delete(win: MainWindow) -> None:
    win.repo.tag_papers(IDS[:2], ["ml/pruning"])
    win.repo.tag_papers(IDS[2:3], ["vision"])
    win.refresh_sidebar()
    win.tags.rename_tag("ml", "ai")
    assert [t.name for t in win.repo.tags()] == ["ai/pruning", "vision"]
    win.tags.merge_tags("vision", "ai")
    assert win.repo.get(IDS[2]).tags == ("ai",)
    with answering("Cancel") as asked:
        win.tags.delete_tag_confirm("ai")
    assert len(win.repo.tags()) == 2  # cancelled: nothing deleted
    assert "Delete the tag “ai” and its sub-tags?" in asked.seen[0].texts[0]
    with answering("Delete"):
        win.tags.delete_tag_confirm("ai")
    assert win.repo.tags() == []
    assert win.repo.count(type(win.feed_model.query)()) == 6  # papers stay
    win.editor.stack.undo()  # delete
    assert {t.name for t in win.repo.tags()} == {"ai", "ai/pruning"}
    win.editor.stack.undo()  # merge
    assert win.repo.get(IDS[2]).tags == ("vision",)
    win.editor.stack.undo()  # rename
    assert [t.name for t in win.repo.tags()] == ["ml/pruning", "vision"]
    assert win.sidebar_model.tag_index("ml/pruning").isValid()


def test_undo_of_tag_colour_and_favourites(win: MainWindow) -> None:
    win.repo.create_tag("ml", "#112233")
    win.repo.create_tag("vision")
    win.tags.set_tag_colour("ML", "#ff0000")
    win.tags.set_favourite("vision", True)
    win.tags.set_favourite("ml", True)
    win.tags.set_favourite("vision", False)
    assert (win.repo.get_tag("ml").color, win.tags.favourites) == ("#ff0000", {2: "ml"})
    ml = win.sidebar_model.tag_index("ml")
    assert (ml.data(), ml.data(Qt.ItemDataRole.ToolTipRole)) == ("ml  [2]", "ml (favourite: key 2)")
    assert win.sidebar_model.tag_index("vision").data() == "vision"
    assert win.editor.stack.undoText() == "Remove favourite vision"
    win.editor.stack.undo()
    assert win.tags.favourites == {1: "vision", 2: "ml"}
    win.editor.stack.undo()
    win.editor.stack.undo()
    assert win.tags.favourites == {}
    win.editor.stack.undo()
    assert win.repo.get_tag("ml").color == "#112233"
    win.editor.stack.redo()
    assert win.repo.get_tag("ml").color == "#ff0000"
    win.tags.set_tag_colour("gone", "#000000")  # a tag deleted meanwhile: said, not pushed
    assert "No tag named 'gone'" in win.message_bar.label.text()
    assert win.editor.stack.undoText() == "Colour of tag ml"


def test_delete_papers_in_the_worker_then_undo_and_redo(win: MainWindow, qtbot) -> None:
    win.repo.tag_papers(IDS[:1], ["ml"])
    win.repo.set_note(IDS[0], "my note")
    win.reload_view()
    rows = {paper_at(win.feed_model, r).id: r for r in range(win.feed_model.rowCount())}
    select(win, rows[IDS[0]], rows[IDS[1]])
    assert win.acts.delete.shortcut().toString() == "Shift+Del"
    with answering("Cancel") as asked:
        win.acts.delete.trigger()
    assert asked.seen and len(win.repo.get_many(IDS)) == len(IDS)  # asked; kept
    with qtbot.waitSignal(win.controller.done, timeout=5000) as done, answering("Delete"):
        win.acts.delete.trigger()
    assert done.args[0] == "Deleted 2 papers (Ctrl+Z brings them back)."
    assert {p.id for p in win.repo.get_many(IDS)} == set(IDS[2:])
    qtbot.waitUntil(lambda: win.feed_model.total == len(IDS) - 2)
    assert win.editor.stack.undoText() == "Delete 2 papers"
    win.editor.stack.undo()
    back = win.repo.get(IDS[0])
    assert (back.tags, back.note, back.saved) == (("ml",), "my note", True)
    assert win.feed_model.total == len(IDS)
    win.editor.stack.redo()
    assert win.repo.find(IDS[0]) is None and win.repo.find(IDS[1]) is None
    win.editor.stack.undo()
    assert win.repo.get(IDS[0]).note == "my note"


def test_a_failed_undo_of_a_delete_loses_nothing(win: MainWindow, qtbot, monkeypatch) -> None:
    from desktop_app.errors import DatabaseBusyError

    win.repo.set_note(IDS[0], "precious")
    win.reload_view()
    select(win, [paper_at(win.feed_model, r).id for r in range(len(IDS))].index(IDS[0]))
    with qtbot.waitSignal(win.controller.done, timeout=5000), answering("Delete"):
        win.acts.delete.trigger()
    real = win.repo.restore_papers

    def busy(*args, **kwargs):
        monkeypatch.setattr(win.repo, "restore_papers", real)
        raise DatabaseBusyError("The library is busy.")

    monkeypatch.setattr(win.repo, "restore_papers", busy)
    win.editor.stack.undo()  # fails: said, and the stack moved anyway
    assert "busy" in win.message_bar.label.text() and win.repo.find(IDS[0]) is None
    win.editor.stack.redo()  # deletes nothing this time
    win.editor.stack.undo()
    assert win.repo.get(IDS[0]).note == "precious"


def test_refused_edit_is_reported_not_pushed(win: MainWindow) -> None:
    win.repo.create_tag("a")
    win.repo.create_tag("b")
    win.tags.rename_tag("a", "B")
    assert "already exists" in win.message_bar.label.text()
    assert win.editor.stack.count() == 0


def test_counts_update_after_tagging_and_reading(win: MainWindow, qtbot) -> None:
    win.repo.create_tag("ml")
    win.refresh_sidebar()
    select(win, 0, 1)
    win.tags.tag_selection(["ml"])
    index = win.sidebar_model.tag_index("ml")
    unread = win.sidebar_model.index(index.row(), 1, index.parent())
    total = win.sidebar_model.index(index.row(), 2, index.parent())
    assert (unread.data(), total.data()) == ("2", "2")
    with qtbot.waitSignal(win.countsUpdated, timeout=5000):
        win.on_toggle_read_triggered()
    index = win.sidebar_model.tag_index("ml")
    assert win.sidebar_model.index(index.row(), 1, index.parent()).data() == ""
    unread_view = win.sidebar_model.view_index("unread")
    assert win.sidebar_model.index(unread_view.row(), 2, unread_view.parent()).data() == "4"
    library = win.sidebar_model.view_index("saved")
    assert win.sidebar_model.index(library.row(), 2, library.parent()).data() == "2"


def test_filter_by_several_tags_all_or_any(win: MainWindow) -> None:
    win.repo.tag_papers(IDS[:3], ["a"])
    win.repo.tag_papers(IDS[2:5], ["b"])
    win.refresh_sidebar()
    win.on_sidebar_tags_selected(["a", "b"])
    assert loaded_ids(win.feed_model) == [IDS[2]]
    assert win.navigator.tag_mode_combo.isVisibleTo(win)
    win.navigator.tag_mode_combo.setCurrentIndex(1)  # any
    assert sorted(loaded_ids(win.feed_model)) == IDS[:5]


def test_search_within_a_tag(win: MainWindow, qtbot) -> None:
    win.repo.tag_papers(IDS[:3], ["a"])
    win.refresh_sidebar()
    win.sidebar.select_spec(ViewSpec("tag", "a"))
    win.navigator.scope_combo.setCurrentIndex(1)  # this view
    win.navigator.search_box.setText("Paper 4")  # paper 4 is not tagged a
    win.navigator.on_search_timer_timeout()
    assert win.spec == ViewSpec("tag", "a")
    assert win.feed_model.total == 0
    win.navigator.search_box.setText("Paper 1")
    win.navigator.on_search_timer_timeout()
    assert loaded_ids(win.feed_model) == [IDS[1]]
    assert "matching" in win.view_title.text()


def test_feed_context_menu_offers_tag_actions(win: MainWindow) -> None:
    win.repo.tag_papers([IDS[5]], ["keep"])
    win.reload_view()
    select(win, 0)
    win.on_feed_context_menu(win.feed.visualRect(win.feed_model.index(0)).center())
    labels = [a.text() for a in win.context_menu.actions()]
    assert "Tag…" in labels and "Toggle star" in labels
    remove = next(a.menu() for a in win.context_menu.actions() if a.text() == "Remove tag")
    assert [a.text() for a in remove.actions()] == ["keep"]
    win.context_menu.close()


def test_collapsed_tags_stay_collapsed_after_a_rebuild(win: MainWindow) -> None:
    win.repo.tag_papers(IDS[:1], ["ml/a", "vision/b"])
    win.refresh_sidebar()
    ml = win.sidebar_model.tag_index("ml")
    assert win.sidebar.isExpanded(ml)
    win.sidebar.collapse(ml)
    win.repo.tag_papers(IDS[1:2], ["ml/c"])
    win.refresh_sidebar()
    assert not win.sidebar.isExpanded(win.sidebar_model.tag_index("ml"))
    assert win.sidebar.isExpanded(win.sidebar_model.tag_index("vision"))


def test_undo_of_tagging_with_an_unnormalised_name_keeps_the_existing_tag(win: MainWindow):
    win.repo.tag_papers([IDS[0], IDS[2]], ["ml/pruning"])
    win.reload_view()
    ids = [IDS[0], IDS[1]]
    win.editor.run(TagPapersCommand(win.repo, ids, ["ML/ pruning"], [], win.after_edit))
    assert win.repo.get(IDS[1]).tags == ("ml/pruning",)
    win.editor.stack.undo()
    assert win.repo.get(IDS[0]).tags == ("ml/pruning",)
    assert win.repo.get(IDS[1]).tags == ()
    assert win.repo.get(IDS[2]).tags == ("ml/pruning",)
    assert [t.name for t in win.repo.tags()] == ["ml/pruning"]


def test_a_finished_job_keeps_the_selection_and_the_note_being_typed(win: MainWindow, qtbot):
    select(win, 1, 2, 3)
    current = paper_at(win.feed_model, 1).id
    win.viewer.note.setFocus()
    win.viewer.note.setPlainText("half a thought")
    with qtbot.waitSignal(win.controller.done, timeout=5000):
        win.controller.run(Call("store", lambda ctx: ctx.repo.upsert_papers([])))
    assert win.selected_ids() == [paper_at(win.feed_model, r).id for r in (1, 2, 3)]
    assert win.current_paper().id == current
    assert win.viewer.note.toPlainText() == "half a thought"
    assert win.viewer.split.isVisible()


def test_mark_all_read_runs_in_the_worker_and_can_be_undone(win: MainWindow, qtbot) -> None:
    win.repo.set_read([IDS[0]])
    with qtbot.waitSignal(win.controller.done, timeout=5000):
        win.acts.mark_all.trigger()
    assert all(p.read for p in win.repo.get_many(IDS))
    win.editor.stack.undo()
    assert [p.id for p in win.repo.get_many(IDS) if p.read] == [IDS[0]]
    win.editor.stack.redo()
    assert all(p.read for p in win.repo.get_many(IDS))


def test_renaming_a_parent_follows_the_shown_sub_tag_and_undo_follows_back(win: MainWindow):
    win.repo.tag_papers(IDS[:2], ["ml/x"])
    win.refresh_sidebar()
    win.tags.set_favourite("ml/x", True)
    win.sidebar.select_spec(ViewSpec("tag", "ml/x"))
    win.tags.rename_tag("ml", "ai")
    assert win.spec == ViewSpec("tag", "ai/x")
    assert win.tags.favourites == {1: "ai/x"}
    assert win.feed_model.total == 2
    win.editor.stack.undo()
    assert win.spec == ViewSpec("tag", "ml/x")
    assert win.feed_model.total == 2


def test_a_merge_into_an_unusable_name_is_reported(win: MainWindow) -> None:
    win.repo.create_tag("a")
    win.tags.merge_tags("a", " / ")
    assert "not a usable tag name" in win.message_bar.label.text()
    assert win.editor.stack.count() == 0


def test_view_counts_ignore_a_search_narrowing_the_current_view(win: MainWindow, qtbot) -> None:
    win.navigator.scope_combo.setCurrentIndex(1)  # this view
    win.navigator.search_box.setText("Paper 1")
    win.navigator.on_search_timer_timeout()
    with qtbot.waitSignal(win.countsUpdated, timeout=5000):
        win.refresh_view_counts()
    all_view = win.sidebar_model.view_index("all")
    assert win.sidebar_model.index(all_view.row(), 2, all_view.parent()).data() == "6"


def test_a_huge_tag_can_be_renamed_and_deleted_but_not_made(tmp_path, capsys) -> None:
    """A 60,000-character tag (a .bib keyword) once made LIKE patterns 'too complex'."""
    from desktop_app.bibtex import import_bibtex
    from desktop_app.cli import main

    huge = "x" * 60_000
    repo = Repository.open(tmp_path / "library.sqlite3")
    repo.upsert_papers([PaperRecord(id="2611.00001", title="T")])
    with pytest.raises(InvalidInputError, match="at most 200 characters; this one has 60,000"):
        repo.tag_papers(["2611.00001"], [huge])
    report = import_bibtex(
        repo, f"@misc{{k, title = {{Imported Paper}}, keywords = {{{huge}, ok}}}}"
    )
    assert report.new == 1 and [t.name for t in repo.tags()] == ["ok"]
    # A library from before the limit may hold one: it can still be renamed and deleted.
    repo.db.execute_sql(
        "INSERT INTO tag (name, name_key, created) VALUES (?, ?, 'x'), (?, ?, 'x')",
        (huge, huge, huge + "/child", huge + "/child"),
    )
    assert repo.rename_tag(huge, "short") == 2
    assert {t.name for t in repo.tags()} == {"ok", "short", "short/child"}
    repo.db.execute_sql("INSERT INTO tag (name, name_key, created) VALUES (?, ?, 'x')", (huge,) * 2)
    repo.close()
    assert main(["--data-dir", str(tmp_path), "tags", "delete", huge]) == 0
    assert main(["--data-dir", str(tmp_path), "tags", "rename", "short", "y" * 201]) == 1
    assert "at most 200 characters" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("#3366CC", "#3366cc"), ("#abc", "#aabbcc"), ("teal", "#008080"), ("", None)],
)
def test_tag_colours_are_validated_and_normalised(repo: Repository, typed: str, stored) -> None:
    repo.create_tag("ml")
    repo.set_tag_color("ml", typed)
    assert repo.get_tag("ml").color == stored


@pytest.mark.parametrize("typed", ["red; background:url(http://x/)", "#12345g", "#1234", "blu"])
def test_a_colour_that_is_not_one_is_refused(repo: Repository, typed: str, capsys) -> None:
    repo.create_tag("ml", "#112233")
    with pytest.raises(InvalidInputError, match="is not a colour"):
        repo.set_tag_color("ml", typed)
    with pytest.raises(InvalidInputError, match="is not a colour"):
        repo.create_tag("other", typed)
    assert repo.get_tag("ml").color == "#112233"


def test_invisible_and_direction_characters_do_not_enter_tag_names(repo: Repository) -> None:
    repo.upsert_papers([PaperRecord(id="2611.00001", title="T")])
    repo.tag_papers(["2611.00001"], ["to\u200bread", "\u202eevil", "ml\u2066/x"])
    assert sorted(t.name for t in repo.tags()) == ["evil", "ml/x", "toread"]
    with pytest.raises(InvalidInputError):
        repo.create_tag("\u200b\u202e")
