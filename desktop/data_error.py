"""DataError: an environment failure of the database, in words for people.

Its own module (no SQLAlchemy) so that the window's frame and its error dialogs can name it
before the database layer is imported; `desktop.db` raises it and re-exports it.
"""

from __future__ import annotations

from typing import Any

from desktop.messages import Message


class DataError(Exception):
    """An environment failure (locked, full, read-only, unreachable) with a message for people."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        self.message: Message = Message.plain(message)  # msg(...): translatable by the GUI
        super().__init__(self.message)
        self.detail = detail

    @property
    def template(self) -> str | None:
        return self.message.template

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.message.params)

    def __str__(self) -> str:
        return self.message
