"""A ReportLab Table that keeps what it was given, so the same story can also become a .docx.

ReportLab's Table keeps its cells in private attributes; `Grid` keeps the cells, the column
widths, the spans and whether it is ruled in public ones of its own (reports/docx_out.py reads
them). It draws exactly like Table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from reportlab.platypus import Table, TableStyle

if TYPE_CHECKING:
    from typing import TypeAlias

    from reportlab.platypus.tables import _TableCommand

    # one style command, e.g. ("GRID", (0, 0), (-1, -1), 0.5, LINE), as the stubs spell it
    TableCommand: TypeAlias = _TableCommand

_RULED = {"GRID", "BOX", "INNERGRID", "OUTLINE"}


class Grid(Table):
    def __init__(self, data: Sequence[list[Any] | tuple[Any, ...]],
                 colWidths: Sequence[float] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, colWidths, *args, **kwargs)
        self.cells = [list(row) for row in data]
        self.widths = list(colWidths) if colWidths is not None else None
        self.spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
        self.ruled = False

    def setStyle(self, tblstyle: TableStyle | Iterable[TableCommand]) -> None:
        commands: Sequence[tuple[Any, ...]] = tblstyle.getCommands() if isinstance(tblstyle, TableStyle) \
            else list(tblstyle)
        for command in commands:
            if command[0] == "SPAN":
                self.spans.append((tuple(command[1]), tuple(command[2])))
            elif command[0] in _RULED:
                self.ruled = True
        super().setStyle(tblstyle)
