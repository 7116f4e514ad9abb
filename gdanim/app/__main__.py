"""``python -m gdanim.app``: the ``gdanim`` command (:func:`gdanim.app.cli.main`)."""

from __future__ import annotations

import sys

from gdanim.app.cli import main

if __name__ == "__main__":
    sys.exit(main())
