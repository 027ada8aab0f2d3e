"""What every service call shares: the acting user, the errors it may raise, what it changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from desktop import clock
from desktop.messages import Message, msg

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["Actor", "Cancelled", "Changes", "ConflictError", "Message", "NotFound",
           "PermissionDenied", "ServiceError", "TransitionError", "ValidationError", "get_live",
           "get_row", "msg", "now"]

_Row = TypeVar("_Row")


@dataclass(frozen=True)
class Actor:
    """The user on whose behalf a service runs (taken from a successful login)."""

    user_id: int | None
    username: str
    role: str
    display_name: str = ""

    @classmethod
    def system(cls) -> Actor:
        """The command line's own actor for set-up work (init, demo, migrations)."""
        return cls(user_id=None, username="system", role="admin", display_name="系统")


class ServiceError(Exception):
    """A rule was broken; the message is Chinese and meant for the user.

    Raise with a `msg("模板 {x}", x=…)`: `str(err)` and `err.message` are the formatted Chinese,
    `err.template` / `err.params` let the GUI show it in the interface language. A plain str
    is still accepted (it has no template and is shown as is).
    """

    def __init__(self, message: str) -> None:
        self.message: Message = Message.plain(message)
        super().__init__(self.message)

    @property
    def template(self) -> str | None:
        return self.message.template

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.message.params)


class PermissionDenied(ServiceError):
    pass


class NotFound(ServiceError):
    pass


def get_row(session: Session, model: type[_Row], ident: int | None, missing: str) -> _Row:
    """The `model` row with primary key `ident`, or `NotFound(missing)` — also when `ident` is
    None. Rows in the recycle bin count as found: see `get_live`."""
    row = session.get(model, ident) if ident is not None else None
    if row is None:
        raise NotFound(missing)
    return row


def get_live(session: Session, model: type[_Row], ident: int | None, missing: str) -> _Row:
    """As `get_row`, and a row in the recycle bin (`deleted_at` set) is not found either.
    `missing` is the whole message, e.g. `msg("项目不存在或已删除。")`."""
    row = get_row(session, model, ident, missing)
    if getattr(row, "deleted_at", None) is not None:
        raise NotFound(missing)
    return row


class ValidationError(ServiceError):
    """Bad input; `fields` maps a form field to what is wrong with it, for display beside it.

    `fields` holds the Chinese texts; `messages` the same as `Message`s (template and params
    per field) for translation. The whole error's message lists them all.
    """

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.messages: dict[str, Message] = {key: Message.plain(text)
                                             for key, text in fields.items()}
        self.fields: dict[str, str] = dict(self.messages)
        super().__init__(msg("{problems}", problems=list(self.messages.values())))


class ConflictError(ServiceError):
    """Someone else saved the record first (optimistic version check)."""

    def __init__(self, message: str, *, changed_by: str = "", changed_at: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


class TransitionError(ServiceError):
    """A lifecycle step that is not allowed from the record's current state."""


@dataclass
class Changes:
    """What a service call changed, so each screen decides for itself what to refresh."""

    projects: bool = False
    hazards: bool = False
    reports: bool = False
    inspections: bool = False
    documents: bool = False
    training: bool = False
    archive: bool = False
    users: bool = False
    settings: bool = False
    ids: dict[str, set[int]] = field(default_factory=dict)

    def touch(self, kind: str, *ids: int) -> Changes:
        setattr(self, kind, True)
        self.ids.setdefault(kind, set()).update(i for i in ids if i is not None)
        return self

    def merge(self, other: Changes) -> Changes:
        for name in ("projects", "hazards", "reports", "inspections", "documents", "training",
                     "archive", "users", "settings"):
            if getattr(other, name):
                setattr(self, name, True)
        for kind, ids in other.ids.items():
            self.ids.setdefault(kind, set()).update(ids)
        return self


def now() -> dt.datetime:
    """The agency's wall-clock time (China time by default), naive, whatever the computer's zone:
    the agency's documents and same-day rules use its calendar day (see desktop/clock.py)."""
    return clock.wall_now()


class Cancelled(ServiceError):
    """Long work stopped because the user asked it to (a progress callback returned False)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message if message is not None else msg("操作已取消。"))
