"""Entry point of the packaged application (PyInstaller runs this file as a script)."""

import sys

from workbench.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
