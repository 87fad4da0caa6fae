"""`python -m handbook` is the same program as the `handbook` console script."""

import sys

# The guard matters: worker processes import this module again under another name.
if __name__ == "__main__":
    try:
        from handbook.cli import main
    except KeyboardInterrupt:  # Ctrl-C while the engines load: stop quietly, nothing was written
        sys.exit(130)
    sys.exit(main())
