"""`python -m desktop` runs the same command line as `riskdesk`.

The frozen `riskdesk` on Windows is a windowed program (no console): it has no standard
streams, and a stray print or a logging handler writing to `None` would fail. It gets the
null device instead; `riskdesk-cli` is the program to use for printed output.
"""

import os
import sys

for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - for the run

from desktop.cli import main  # after the streams exist

sys.exit(main())
