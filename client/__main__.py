"""Run the client with ``python -m client`` (also the frozen executable's script)."""

import sys

from client.entry import main

sys.exit(main())
