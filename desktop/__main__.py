"""`python -m desktop` runs the same command line as `riskdesk`."""

import sys

from desktop.cli import main

sys.exit(main())
