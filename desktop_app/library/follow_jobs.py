"""The window's background jobs for following (see :mod:`desktop_app.library.jobs`): look
for papers new to followed items after a refresh, and mail the daily digest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.library.jobs import JobContext


@dataclass(frozen=True)
class FollowsChecked:
    """What to announce about papers new to followed items (None: nothing)."""

    announcement: Any
    changes_library: bool = False


@dataclass(frozen=True)
class CheckFollows:
    """After a refresh: record the papers new to each followed item (library.follow)."""

    title: str = "Looking for papers you follow"

    def run(self, ctx: JobContext) -> FollowsChecked:
        from desktop_app.library import follow

        follow.check(ctx.repo)
        news = follow.announcement(ctx.repo)
        if news is not None:  # told here: a second check queued meanwhile tells nothing twice
            follow.told(ctx.repo, news)
        return FollowsChecked(news)


@dataclass(frozen=True)
class SendDigest:
    """Mail the day's digest (the window's, at the chosen time)."""

    address: str
    title: str = "Sending the digest"

    def run(self, ctx: JobContext) -> Any:
        from desktop_app.library import follow, mailer

        follow.check(ctx.repo)  # what the refresh just stored is in it (checked once more)

        return mailer.send_digest(ctx.repo, ctx.settings, self.address)
