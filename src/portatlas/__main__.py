"""`python -m portatlas` runs the command line."""

import sys

from portatlas.cli.main import main

sys.exit(main())
