"""Application shell: entry points (command line and GUI), main window, actions, jobs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("settlement-workbench")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.1.0"
