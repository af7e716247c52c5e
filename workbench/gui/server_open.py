"""Opening a team database on a PostgreSQL or MariaDB server from the window (issue 21).

Connecting runs in a background job (workbench.gui.jobs), bounded by a connect timeout, so
the window never waits on a server. When the URL carries no password and the server asks for
one, the password is asked for (views.database_dialog.PasswordDialog) and used for this one
opening: it lives in the open database's engine only, never in the settings or the recent
files (they hold the URL without it; `recent_files.without_password`), so reopening asks
again. A platform keyring is not used: a headless Linux has none, and asking is the same
everywhere. A connection that fails is told in one line (the URL without its password: user,
host, port, database; and what the driver said), and the database open before stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from models.core.errors import WorkbenchInputError
from models.db.server_failures import driver_line, server_failure
from workbench.gui.recent_files import without_password

CONNECT_TIMEOUT_SECONDS = 10
# What libpq (PostgreSQL) and MariaDB say when a password is wanted and none was given (a
# wrong one given says "password authentication failed" / "using password: YES").
ASKS_FOR_PASSWORD = ("no password supplied", "password authentication failed", "using password: no")


@dataclass
class Connected:
    db: object  # models.db.database.SettlementDatabase
    runs: list


@dataclass
class Refused:
    message: str  # one line, without the password
    asks_for_password: bool


def has_password(location: str) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(location).password is not None


def session_url(location: str, password: str | None) -> str:
    """The URL to connect with: `password` set when given, and a connect timeout unless the
    URL names one (libpq and PyMySQL both take ``connect_timeout`` in seconds)."""
    from sqlalchemy.engine import make_url

    url = make_url(location)
    if password is not None:
        url = url.set(password=password)
    if "connect_timeout" not in url.query:
        url = url.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_SECONDS)})
    return url.render_as_string(hide_password=False)


def asks_for_password(message: str) -> bool:
    lowered = message.lower()
    return any(words in lowered for words in ASKS_FOR_PASSWORD)


def connect(location: str, password: str | None, preload=None, cancelled=lambda: False):
    """Open the server database (or adopt `preload`'s opening of it) and list its runs:
    Connected, or Refused with one line naming the URL without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from models.db.database import SettlementDatabase
    from models.runs.run_store import list_runs

    public = without_password(location)
    target = session_url(location, password)
    try:
        if preload is not None:
            db, runs = preload.opened()
        else:
            db = SettlementDatabase.open(target)
            try:
                with db.engine.connect() as conn:
                    runs = list_runs(conn, light=True)
            except BaseException:
                db.close()
                raise
    except WorkbenchInputError as exc:
        # Named as the analyst knows it: without the password's *** and the added timeout.
        shown = make_url(target).render_as_string(hide_password=True)
        message = str(exc).replace(shown, public)
        given = password is not None or has_password(location)
        return Refused(message, asks_for_password=not given and asks_for_password(message))
    except DBAPIError as exc:  # connected, then refused: e.g. no SELECT on its tables
        line = server_failure(exc, public)  # a privilege missing, the connection lost…
        return Refused(line or f"{public}: the server refused ({driver_line(exc.orig)})", False)
    db.location = public  # in messages and as the key of what was last shown from it
    if cancelled():
        db.close()
        return None
    return Connected(db, runs)


class ServerOpening(QObject):
    """Connects in a job; asks for a password when the server wants one. Built with the job
    runner, the widget the password dialog belongs to, and the window's sinks: `opened(db,
    runs, location, preload)`, `error(title, line)` and `status(line)`."""

    def __init__(
        self,
        jobs,
        parent: QWidget,
        opened: Callable,
        error: Callable[[str, str], None],
        status: Callable[[str], None],
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.parent_widget = parent
        self.opened = opened
        self.error = error
        self.status = status
        self.password_dialog = None

    def open(self, location: str, password: str | None = None, preload=None) -> None:
        public = without_password(location)
        pending: dict = {}

        def work(progress, cancelled):
            progress(0.1, "connecting to the server")
            outcome = connect(location, password, preload, cancelled)
            pending["outcome"] = outcome
            return outcome

        def done(outcome) -> None:
            pending.clear()
            if isinstance(outcome, Connected):
                self.opened(outcome.db, outcome.runs, public, preload)
            elif outcome.asks_for_password:
                if preload is not None:
                    preload.cancel()
                self.ask_password(location, outcome.message)
            else:
                if preload is not None:
                    preload.cancel()
                self.error("Cannot open the database", outcome.message)

        def failed(message: str, details: str) -> None:
            self.error("Cannot open the database", f"{public}: {message}")

        def cancelled() -> None:
            outcome = pending.pop("outcome", None)
            if isinstance(outcome, Connected):  # connected just as it was cancelled
                outcome.db.close()
            self.status(f"Not opened: {public} (cancelled).")

        self.status(f"Connecting to {public}…")
        self.jobs.start("open", work, done, failed, cancelled)

    def ask_password(self, location: str, reason: str = "") -> None:
        """The password dialog, window-modal (never a nested event loop); OK connects again."""
        from views.database_dialog import PasswordDialog

        public = without_password(location)
        reason = reason.removeprefix(f"{public}: ")  # the URL is said above it
        dialog = PasswordDialog(public, reason, self.parent_widget)

        def typed() -> None:
            password = dialog.typed()
            dialog.password.clear()
            self.open(public, password)

        dialog.accepted.connect(typed)
        dialog.rejected.connect(lambda: self.status(f"Not opened: {public} needs a password."))
        self.password_dialog = dialog
        dialog.open()
