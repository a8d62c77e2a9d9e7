"""``python -m launch_audit`` is the ``launch-audit`` command."""

import sys

from .cli import main

sys.exit(main())
