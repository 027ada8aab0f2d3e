"""GUI screenshots go to a temporary folder (or $RISKDESK_SCREENSHOTS), never the checkout."""

from __future__ import annotations

import os
from pathlib import Path

from .shots import shots_dir

ROOT = Path(__file__).resolve().parents[2]


def test_screenshots_are_saved_outside_the_checkout():
    folder = shots_dir().resolve()
    assert folder.is_dir()
    if os.environ.get("RISKDESK_SCREENSHOTS"):
        assert folder == Path(os.environ["RISKDESK_SCREENSHOTS"]).resolve()
    else:
        assert not folder.is_relative_to(ROOT)
