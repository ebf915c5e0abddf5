"""The services the window and the command line share, above the store and the sources.

No Qt here: fetching (:mod:`fetch`), undoable edits (:mod:`edits`), what each view shows
(:mod:`views`), backups (:mod:`backups`), the library's own bookkeeping (:mod:`bookkeeping`),
and the background jobs the window's worker runs (:mod:`jobs`).
"""
