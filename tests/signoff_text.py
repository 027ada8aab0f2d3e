"""The signature boxes of a PDF as a reader sees them: who signed and on which day.

`pdftotext -layout` keeps each box's lines in one column: `role：name` and, below it, `日期：…`.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

_DATE = re.compile(r"\s*(\d{4}年\d{1,2}月\d{1,2}日)?")


def layout_text(path: Path | str) -> str:
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def sign_off(path: Path | str, role: str) -> list[tuple[str, str]]:
    """(name, date) of every box whose line reads `role：…`; "" where the box is left blank.

    `role` matches as a whole word: 负责人 is not 技术负责人 or 项目负责人."""
    lines = layout_text(path).splitlines()
    found: list[tuple[str, str]] = []
    for i, line in enumerate(lines):
        for m in re.finditer(rf"(?<![\u4e00-\u9fff]){re.escape(role)}：", line):
            rest = line[m.end():]
            name = "" if not rest or rest[0].isspace() else re.split(r"\s{2,}", rest)[0].strip()
            date = None
            for below in lines[i + 1:i + 4]:
                near = [d for d in re.finditer("日期：", below) if abs(d.start() - m.start()) <= 3]
                if near:
                    matched = _DATE.match(below, near[0].end())
                    date = matched.group(1) or "" if matched else ""
                    break
            assert date is not None, f"no 日期 line under {role}： in {path}"
            found.append((name, date))
    return found
