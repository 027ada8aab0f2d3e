"""The 检查记录 page: its title and a notice until its data service is written."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from desktop.services.context import Changes
from desktop.ui.pages.base import PendingServicePage


class InspectionsPage(PendingServicePage):
    key = "inspections"
    title_source = QT_TRANSLATE_NOOP("Pages", "检查记录")
    description_source = QT_TRANSLATE_NOOP(
        "Pages",
        "首次风险辨识、全覆盖检查、阶段检查和危大工程专项检查的记录将在这里登记和确认。",
    )

    def wants(self, changes: Changes) -> bool:
        return changes.inspections
