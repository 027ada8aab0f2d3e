"""The pages of the main window, in navigation order (Ctrl+1 … Ctrl+9 follow this order)."""

from __future__ import annotations

from desktop.ui.pages.archive_page import ArchivePage
from desktop.ui.pages.base import Page
from desktop.ui.pages.compliance_page import CompliancePage
from desktop.ui.pages.dashboard_page import DashboardPage
from desktop.ui.pages.documents_page import DocumentsPage
from desktop.ui.pages.hazards_page import HazardsPage
from desktop.ui.pages.inspections_page import InspectionsPage
from desktop.ui.pages.projects_page import ProjectsPage
from desktop.ui.pages.settings_page import SettingsPage
from desktop.ui.pages.training_page import TrainingPage

PAGES: tuple[type[Page], ...] = (
    DashboardPage, ProjectsPage, HazardsPage, InspectionsPage, TrainingPage, ArchivePage,
    DocumentsPage, CompliancePage, SettingsPage,
)

__all__ = ["PAGES", "Page"]
