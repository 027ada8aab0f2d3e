"""The 培训与演练 page: its title and a notice until its data service is written."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from desktop.services.context import Changes
from desktop.ui.pages.base import PendingServicePage


class TrainingPage(PendingServicePage):
    key = "training"
    title_source = QT_TRANSLATE_NOOP("Pages", "培训与演练")
    description_source = QT_TRANSLATE_NOOP(
        "Pages",
        "培训场次、参训人员覆盖情况、应急预案协助和演练评估将在这里登记。",
    )

    def wants(self, changes: Changes) -> bool:
        return changes.training
