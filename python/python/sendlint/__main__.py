"""`python -m sendlint` is the `sendlint` command."""

import sys

from .cli import main

sys.exit(main())
