"""``python -m augkit``: the same as the ``augkit`` command."""

import sys

from augkit.cli import main

sys.exit(main())
