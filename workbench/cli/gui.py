"""`settlement-workbench gui [PATH]` (also no command, or a database PATH): the desktop
workbench. The one door from the command line into `workbench.gui`."""

from __future__ import annotations

import argparse


def add_commands(commands) -> None:
    gui = commands.add_parser("gui", help="open the desktop workbench (also: no command, or PATH)")
    gui.add_argument("path", nargs="?", help="a settlement database to open")
    gui.add_argument(
        "--smoke-test", action="store_true", help="exit once the first run is loaded (checks)"
    )
    gui.set_defaults(handler=_cmd_gui)


def _cmd_gui(args: argparse.Namespace) -> int:
    return open_gui(args.path, smoke_test=args.smoke_test)


def open_gui(path: str | None, smoke_test: bool = False) -> int:
    """The window on `path`, or without one on the database open last time (if it is still
    there); returns the application's exit code."""
    # The database starts opening (and its run loading) before Qt and pyqtgraph are imported.
    from workbench.gui import preload, recent_files

    note = None
    if path:
        path = recent_files.absolute(path)
    else:  # no path: the database open last time, if it is still there
        path, note = recent_files.last_database(preload.default_settings())
    started = preload.start(path) if path else None
    from workbench.gui.app import run_gui

    return run_gui(path, smoke_test=smoke_test, preload=started, note=note)
