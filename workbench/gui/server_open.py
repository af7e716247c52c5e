"""Opening a database from the window: a file, or a team database on a PostgreSQL or MariaDB
server (issue 21); never on the GUI thread (issue 20).

Opening runs in a background job (workbench.gui.jobs, kind "open"): a file's check, an older
schema's migration and the runs' listing take 6-14 ms on SQLite (180 ms the first time in a
process), a server's connection up to its connect timeout. Meanwhile the database open before
stays open and usable, the status line says what is opening, and Esc cancels it. A newer
opening replaces one under way: the older's database, if it opened, is closed unshown. What
opening finds comes when it comes: the database shown, or refused in one line naming it (not
a database, locked, damaged, a newer schema; for a server the URL without its password: user,
host, port, database, and what the driver said) with the database before kept.

When a server URL carries no password and the server asks for one, the password is asked for
(views.database_dialog.PasswordDialog) and used for this one opening: it lives in the open
database's engine only, never in the settings or the recent files (they hold the URL without
it; `recent_files.without_password`), so reopening asks again. A platform keyring is not used:
a headless Linux has none, and asking is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from models.core.errors import WorkbenchInputError
from models.db.server_failures import driver_line, server_failure
from workbench.gui.preload import open_listing
from workbench.gui.recent_files import is_server_url, without_password

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

    public = without_password(location)
    target = session_url(location, password)
    try:
        db, runs = preload.opened() if preload is not None else open_listing(target)
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


def open_file(path: str, preload=None, cancelled=lambda: False):
    """Open the database file at `path` (or adopt `preload`'s opening of it) and list its runs:
    Connected, or Refused with the one line naming the file (not a SQLite file, in use by
    another program, damaged, made by a newer workbench…); None if cancelled meanwhile."""
    from models.db.database import database_failure

    try:
        db, runs = preload.opened() if preload is not None else open_listing(path)
    except WorkbenchInputError as exc:
        return Refused(str(exc), asks_for_password=False)
    except Exception as exc:  # locked, damaged…: one line (else a defect: the job's failure)
        if (line := database_failure(exc, path)) is None:
            raise
        return Refused(line, asks_for_password=False)
    if cancelled():
        db.close()
        return None
    return Connected(db, runs)


@dataclass(eq=False)
class _Attempt:
    """One opening: what it opens (a URL without its password) and what waits for it."""

    location: str
    waiting: list  # callables, called once its database is shown; dropped if it is not
    outcome: object = None  # the work's, set in the job's thread


class DatabaseOpening(QObject):
    """Opens a file or a server URL in a job; asks for a password when the server wants one.
    Built with the job runner, the widget the password dialog belongs to, and the window's
    sinks: `opened(db, runs, location, preload)`, `error(title, line, details)` and
    `status(line)`."""

    def __init__(
        self,
        jobs,
        parent: QWidget,
        opened: Callable,
        error: Callable[[str, str, str], None],
        status: Callable[[str], None],
    ) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.parent_widget = parent
        self.opened = opened
        self.error = error
        self.status = status
        self.password_dialog = None
        self._current: _Attempt | None = None  # the opening under way (or asking a password)
        self._unresolved: set[_Attempt] = set()  # jobs whose end has not reached us yet

    @property
    def under_way(self) -> str | None:
        """What is opening (a URL without its password), or None."""
        return self._current.location if self._current is not None else None

    def after_open(self, then: Callable[[], None]) -> None:
        """`then()` once the database opening is shown (never if it is refused or replaced);
        at once if nothing is opening."""
        if self._current is None:
            then()
        else:
            self._current.waiting.append(then)

    def open(self, location: str, password: str | None = None, preload=None, then=()) -> None:
        """Start opening `location` (a file's absolute path or a server URL) in place of any
        opening under way; `then`: callables for once it is shown."""
        public = without_password(location)
        attempt = _Attempt(public, list(then))
        self._current = attempt
        self._unresolved.add(attempt)
        server = is_server_url(location)

        def work(progress, cancelled):
            if server:
                attempt.outcome = connect(location, password, preload, cancelled)
            else:
                attempt.outcome = open_file(location, preload, cancelled)
            return attempt.outcome

        def ended() -> bool:
            """This opening's end has come: True if it is still the one wanted; else its
            database (if it opened) is closed and its preload stopped."""
            self._unresolved.discard(attempt)
            if attempt is self._current:
                return True
            self._drop(attempt, preload)
            return False

        def done(outcome) -> None:
            if not ended():
                return
            if isinstance(outcome, Connected):
                self._current = None
                self.opened(outcome.db, outcome.runs, public, preload)
                for then in attempt.waiting:
                    then()
                return
            if preload is not None:
                preload.cancel()
            if outcome.asks_for_password:  # still under way: the password is asked for
                self.ask_password(location, outcome.message, attempt.waiting)
            else:
                self._current = None
                self.error("Cannot open the database", outcome.message)

        def failed(message: str, details: str) -> None:
            if ended():
                self._current = None
                if preload is not None:
                    preload.cancel()
                self.error("Cannot open the database", f"{public}: {message}", details)

        def cancelled() -> None:
            current = attempt is self._current
            self._unresolved.discard(attempt)
            self._drop(attempt, preload)  # opened just as it was cancelled: closed
            if current:
                self._current = None
                self.status(f"Not opened: {public} (cancelled).")

        self.jobs.start("open", work, done, failed, cancelled)
        self.status(f"Connecting to {public}…" if server else f"Opening {public}…")

    @staticmethod
    def _drop(attempt: _Attempt, preload) -> None:
        if isinstance(attempt.outcome, Connected):
            attempt.outcome.db.close()
        if preload is not None:
            preload.cancel()

    def abandon(self) -> None:
        """The window is closing (its jobs ended): close what an opening opened that was never
        shown, and show nothing that arrives later."""
        for attempt in self._unresolved:
            self._drop(attempt, None)
        self._unresolved.clear()
        self._current = None

    def ask_password(self, location: str, reason: str = "", then=()) -> None:
        """The password dialog, window-modal (never a nested event loop); OK connects again."""
        from views.database_dialog import PasswordDialog

        public = without_password(location)
        reason = reason.removeprefix(f"{public}: ")  # the URL is said above it
        dialog = PasswordDialog(public, reason, self.parent_widget)
        asking = self._current

        def typed() -> None:
            password = dialog.typed()
            dialog.password.clear()
            self.open(public, password, then=then)

        def not_now() -> None:
            if self._current is asking:
                self._current = None
            self.status(f"Not opened: {public} needs a password.")

        dialog.accepted.connect(typed)
        dialog.rejected.connect(not_now)
        self.password_dialog = dialog
        dialog.open()
