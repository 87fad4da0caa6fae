"""`python -m handbook` is the same program as the `handbook` console script."""

import sys

from handbook.cli import main

sys.exit(main())
