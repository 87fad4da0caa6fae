"""`python -m handbook` is the same program as the `handbook` console script."""

import sys

try:
    from handbook.cli import main
except KeyboardInterrupt:  # Ctrl-C while the engines load: stop quietly, nothing was written
    sys.exit(130)

sys.exit(main())
