"""Business times are handled as China wall-clock time (stored as UTC instants, docs/rules-time.md),
so every entry point must turn the computer's clock into China time whatever zone the computer is set to. A child
process is started with TZ=UTC and with TZ=America/New_York (12 and 13 hours behind China), its
clock pinned to 01:00 China time on 7 December 2026 — still the 6th where the computer is — and a
level-1 hazard is recorded through the services (found now, and typed), the capture page
(draft received, then confirmed) and the command line's Excel import. Each must be dated
7 December with its same-day reports due at 23:59:59 that day, China time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_DUE = ["2026-12-07T23:59:59"]


@pytest.mark.parametrize(("zone", "offset"), [("UTC", 0), ("America/New_York", -5 * 3600)])
def test_level1_found_at_01_00_china_is_dated_that_day_in_every_entry_point(tmp_path, zone, offset):
    env = {**os.environ, "TZ": zone, "PYTHONPATH": str(ROOT), "RISKDESK_DATA_DIR": str(tmp_path)}
    env.pop("RISKDESK_PASSWORD", None)
    done = subprocess.run([sys.executable, "-m", "tests.services.tz_entry_points", str(tmp_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    # the child really ran in that zone, where it was still 6 December
    assert (result["process_offset"], result["process_day"]) == (offset, "2026-12-06")
    assert result["today"] == "2026-12-07" and result["cli_rc"] == 0
    stored = result["hazards"]
    assert set(stored) == {"录入：当前时间", "录入：00:30", "现场采集", "命令行导入"}
    assert stored["录入：当前时间"]["found_at"] == "2026-12-07T01:00:00"
    assert stored["录入：00:30"]["found_at"] == "2026-12-07T00:30:00"  # typed in China time: not "future"
    assert stored["现场采集"]["found_at"] == "2026-12-07T01:00:00"
    assert stored["命令行导入"]["found_at"] == "2026-12-07T00:00:00"
    for description, row in stored.items():
        assert row["found_date"] == "2026-12-07", description
        assert row["due"] == EXPECTED_DUE, description
