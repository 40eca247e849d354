"""机关党建看板 command line — the entry point scripts and cron call (``python cli.py …``).

The commands live in the ``cli/`` package (``cli/main.py`` has the parser and the list of
commands); a package directory takes precedence over this file when ``cli`` is imported.
"""

import sys

from cli.main import main

if __name__ == "__main__":
    sys.exit(main())
