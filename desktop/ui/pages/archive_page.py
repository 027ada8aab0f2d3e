"""The 档案 page: its title and a notice until its data service is written."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from desktop.services.context import Changes
from desktop.ui.pages.base import PendingServicePage


class ArchivePage(PendingServicePage):
    key = "archive"
    title_source = QT_TRANSLATE_NOOP("Pages", "档案")
    description_source = QT_TRANSLATE_NOOP(
        "Pages",
        "档案台账、保存期限、销毁申请与审批记录将在这里管理。",
    )

    def wants(self, changes: Changes) -> bool:
        return changes.archive
