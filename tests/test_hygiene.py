"""The suite writes only into temporary folders and reports hangs and unexpected passes."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]


def test_hypothesis_keeps_nothing_in_the_checkout():
    assert settings().database is None  # no example database (.hypothesis/examples)
    storage = Path(os.environ["HYPOTHESIS_STORAGE_DIRECTORY"]).resolve()
    assert not storage.is_relative_to(ROOT)


def test_pytest_reports_hangs_and_unexpected_passes():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    ini = options["tool"]["pytest"]["ini_options"]
    assert ini["xfail_strict"] is True
    assert int(ini["faulthandler_timeout"]) > 0


def test_vocabularies_are_checked_through_a_public_method():
    """`Enum._value2member_map_` is the enum module's private index: `Labelled.known` asks
    the same question through the members."""
    from desktop.models.enums import Recipient, Role

    users = [p for p in (ROOT / "desktop").rglob("*.py") if "_value2member_map_" in p.read_text("utf-8")]
    assert users == []
    assert Role.known("admin") and not Role.known("auditor") and not Role.known(None)
    assert Recipient.known(Recipient.INSURER.value)


def test_no_code_or_test_reads_the_computers_own_date():
    """`date.today()` and `datetime.now()` give the computer's zone: between 16:00 and 24:00
    UTC they are a day behind China. The program and the tests read today and now through
    `desktop.clock` (China time, or the agency's zone) — 18 tests once failed every evening
    on a UTC machine because they compared the computer's date with the program's."""
    import re

    naive = re.compile(r"\b(?:date\.today|datetime\.(?:now|today))\(\s*\)")
    found = [f"{p.relative_to(ROOT)}:{n}" for folder in ("desktop", "tests", "bench", "tools")
             for p in sorted((ROOT / folder).rglob("*.py"))
             for n, line in enumerate(p.read_text("utf-8").splitlines(), start=1)
             if naive.search(line) and p != Path(__file__).resolve()]
    assert found == []
