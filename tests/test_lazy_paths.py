"""Paths import what they need when they run (issue 17 §8): the main window opens without the
document, export, backup and password-strength code; a document loads only its own reader."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop.db import Database
from desktop.services.queries import doc_data, doc_outputs

ROOT = Path(__file__).resolve().parents[1]


def modules_after(code: str, *args: str) -> set[str]:
    """The names in sys.modules after `code` ran in a fresh interpreter (offscreen Qt)."""
    probe = code + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))\n"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", probe, *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=180, env=env, check=False)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def loaded(modules: set[str], *names: str) -> list[str]:
    """Which of `names` (packages or modules) were imported."""
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


# modules of desktop/reports that hold only text and data classes (no ReportLab, no layout)
PLAIN_REPORT_MODULES = {"desktop.reports.wording"}

WINDOW = r"""
import sys
from pathlib import Path
from desktop.app import create_application
from desktop.config import Config
from desktop.db import Database
from desktop.services.context import Actor
from desktop.ui.app_state import AppState
from desktop.ui.main_window import MainWindow
app = create_application()
db = Database(sys.argv[1]); db.migrate()
state = AppState(db=db, config=Config(data_dir=Path(sys.argv[2])),
                 actor=Actor(1, "probe", "admin", "探针"))
w = MainWindow(state); w.show(); app.processEvents()
assert len(w.built_pages()) == 1, w.built_pages()
"""


def test_the_main_window_opens_without_the_export_backup_and_password_code(tmp_path):
    url = f"sqlite:///{tmp_path / 'riskdesk.sqlite3'}"
    Database(url).migrate()  # here: the window's process then finds the schema at its head
    modules = modules_after(WINDOW, url, str(tmp_path))
    assert "desktop.ui.main_window" in modules and "sqlalchemy" in modules  # it did run
    assert loaded(modules, "reportlab", "openpyxl", "docx", "zxcvbn", "alembic",
                  "desktop.services.exchange.backup",
                  "desktop.services.exchange.packages", "desktop.services.queries.doc_outputs",
                  "desktop.services.queries.doc_data") == []
    # of the document side only plain text declarations: the fixed wording the agency rules check
    builders = {m for m in modules if m.startswith("desktop.reports.")} - PLAIN_REPORT_MODULES
    assert builders == set()


def test_a_hazard_list_loads_only_its_own_reader():
    modules = modules_after("from desktop.services.queries import doc_outputs\n"
                            "doc_outputs.load_reader('hazard_list')")
    assert "desktop.services.queries.doc_data_periodic" in modules
    assert loaded(modules, "openpyxl", "desktop.services.queries.doc_data_prevention",
                  "desktop.services.queries.doc_data_letters",
                  "desktop.services.queries.doc_data_meetings",
                  "desktop.services.queries.doc_data_plans",
                  "desktop.services.queries.doc_data_submissions",
                  "desktop.services.queries.key_letter",
                  "desktop.services.exchange.backup", "desktop.services.exchange.packages",
                  # the other period documents' layouts and rules, the single records' layouts
                  "reportlab.graphics", "desktop.reports.analysis", "desktop.reports.risk_report",
                  "desktop.reports.selfcheck", "desktop.reports.records",
                  "desktop.reports.training_docs", "desktop.reports.archive_docs",
                  "desktop.services.compliance", "desktop.services.training",
                  "desktop.services.archive",
                  # the hazard and project use cases (a reader needs their states, not them)
                  "desktop.services.hazards", "desktop.services.projects") == []


def test_every_kind_is_read_by_the_module_named_for_it():
    assert set(doc_outputs.READERS) == set(doc_data.KINDS)
    for module in set(doc_outputs.READERS.values()):
        doc_outputs.load_reader(next(k for k, m in doc_outputs.READERS.items() if m == module))
    for kind, module in doc_outputs.READERS.items():
        assert doc_data.output_for(kind).__module__ == f"{doc_outputs.PACKAGE}.{module}", kind


def test_pages_import_no_document_or_workbook_library_until_used():
    # all but the settings page, whose panels are the backup, packages and imports themselves
    pages = ("dashboard_page", "projects_page", "hazards_page", "inspections_page",
             "training_page", "archive_page", "documents_page", "compliance_page")
    modules = modules_after("\n".join(f"import desktop.ui.pages.{p}" for p in pages))
    assert all(f"desktop.ui.pages.{p}" in modules for p in pages)
    assert loaded(modules, "reportlab", "openpyxl", "docx", "desktop.reports.records",
                  "desktop.reports.selfcheck", "desktop.reports.key_letter",
                  "desktop.services.exchange.backup", "desktop.services.exchange.packages") == []


def test_the_compliance_and_settings_pages_load_their_heavier_parts_on_use():
    """Issue 16, a page's first open: the self-check page opens without the document stack
    (its export and draft load it), the settings page without its tabs' panels."""
    modules = modules_after("import desktop.ui.pages.compliance_page\n"
                            "import desktop.ui.pages.settings_page")
    assert "desktop.ui.pages.compliance_page" in modules and "desktop.ui.pages.settings_page" in modules
    assert loaded(modules, "desktop.services.documents", "desktop.services.queries.doc_data",
                  "desktop.reports.data", "desktop.ui.backup_panel",
                  "desktop.ui.import_wizard", "desktop.ui.package_dialog",
                  "desktop.ui.authorities_panel", "desktop.ui.recycle_bin") == []
