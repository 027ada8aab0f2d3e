"""The settings page and the package exporter's module load without ReportLab (issue 16: a
page's first open): the cover's and register's layouts load when a package is written, the
glyph widths of reports.text on its first line wrap. The page's tab panels (the exporter's
among them) load when their tab is first shown."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import sys
import desktop.ui.pages.settings_page
print("desktop.services.exchange.packages" in sys.modules)
import desktop.ui.package_dialog  # what the 导出评审资料包 tab imports when first shown
from desktop.reports.text import cn_date
import datetime as dt
print(cn_date(dt.date(2026, 12, 7)))
print("reportlab" in sys.modules, "desktop.services.exchange.packages" in sys.modules)
from desktop.reports.text import wrap_cjk
print(len(wrap_cjk("施工现场临时用电配电箱未设置漏电保护器", 40, 9).splitlines()) > 1,
      "reportlab" in sys.modules)
"""


def test_the_settings_page_loads_without_reportlab_until_text_is_wrapped():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                            text=True, timeout=180, env=env, check=False)
    assert result.returncode == 0, result.stderr
    page_alone, date, before, after = result.stdout.splitlines()[-4:]
    assert page_alone == "False"  # the tabs' modules are not loaded with the page
    assert date == "2026年12月7日"
    assert before == "False True"  # the exporter's module is there, its layouts are not
    assert after == "True True"  # a wrap loads the glyph widths (and ReportLab with them)
