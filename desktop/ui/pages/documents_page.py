"""The 文书 page: its title and a notice until its data service is written."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from desktop.services.context import Changes
from desktop.ui.pages.base import PendingServicePage


class DocumentsPage(PendingServicePage):
    key = "documents"
    title_source = QT_TRANSLATE_NOOP("Pages", "文书")
    description_source = QT_TRANSLATE_NOOP(
        "Pages",
        "整改通知书、停工建议书、报告单和月度、季度、年度报告将在这里生成、签发和报送。",
    )

    def wants(self, changes: Changes) -> bool:
        return changes.documents
