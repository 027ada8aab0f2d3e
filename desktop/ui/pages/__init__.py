"""The pages of the main window, in navigation order (Ctrl+1 … Ctrl+9 follow this order).

Each page's module is imported when the page is first built (the main window builds a page
when it is first shown): the window opens on one page without importing the other eight
and the dialogs, document builders and exchange code behind them. A `PageRef` carries what
the navigation shows before that — the key (icon, settings group) and the title; a test
checks them against the classes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from desktop.ui.pages.base import Page
from desktop.ui.translatable import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from desktop.ui.app_state import AppState


class PageRef:
    """A page class by module and name: `ref(state)` imports it and builds the page."""

    def __init__(self, module: str, name: str, key: str, title_source: str) -> None:
        self.module, self.name, self.key, self.title_source = module, name, key, title_source

    def title(self) -> str:
        return QCoreApplication.translate("Pages", self.title_source)

    def load(self) -> type[Page]:
        cls: type[Page] = getattr(importlib.import_module(f"desktop.ui.pages.{self.module}"), self.name)
        return cls

    def __call__(self, state: AppState) -> Page:
        return self.load()(state)

    def __repr__(self) -> str:
        return f"PageRef({self.name})"


PAGES: tuple[PageRef, ...] = (
    PageRef("dashboard_page", "DashboardPage", "dashboard", QT_TRANSLATE_NOOP("Pages", "工作台")),
    PageRef("projects_page", "ProjectsPage", "projects", QT_TRANSLATE_NOOP("Pages", "项目")),
    PageRef("hazards_page", "HazardsPage", "hazards", QT_TRANSLATE_NOOP("Pages", "隐患台账")),
    PageRef("inspections_page", "InspectionsPage", "inspections", QT_TRANSLATE_NOOP("Pages", "检查记录")),
    PageRef("training_page", "TrainingPage", "training", QT_TRANSLATE_NOOP("Pages", "培训与演练")),
    PageRef("archive_page", "ArchivePage", "archive", QT_TRANSLATE_NOOP("Pages", "档案")),
    PageRef("documents_page", "DocumentsPage", "documents", QT_TRANSLATE_NOOP("Pages", "文书")),
    PageRef("compliance_page", "CompliancePage", "compliance", QT_TRANSLATE_NOOP("Pages", "合规自查")),
    PageRef("settings_page", "SettingsPage", "settings", QT_TRANSLATE_NOOP("Pages", "设置")),
)

__all__ = ["PAGES", "Page", "PageRef"]
