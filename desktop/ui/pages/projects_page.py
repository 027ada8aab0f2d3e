"""The 项目 page: its title and a notice until its data service is written."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from desktop.services.context import Changes
from desktop.ui.pages.base import PendingServicePage


class ProjectsPage(PendingServicePage):
    key = "projects"
    title_source = QT_TRANSLATE_NOOP("Pages", "项目")
    description_source = QT_TRANSLATE_NOOP(
        "Pages",
        "项目档案（工程概况、保单、参建单位、施工阶段、危大工程、风险等级）将在这里登记和查询。",
    )

    def wants(self, changes: Changes) -> bool:
        return changes.projects
