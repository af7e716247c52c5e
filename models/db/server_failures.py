"""One line for a database server's refusal that the user can act on: a privilege missing, the
connection lost, the server out of space or connections; None for anything else (a defect of
the workbench, reported as an internal error).

Read from the driver's exception, raw or wrapped by SQLAlchemy: PostgreSQL's SQLSTATE
(psycopg's `sqlstate`) and MariaDB's error number (PyMySQL's first argument). The line names
the database without its password and never the SQL statement or its parameters.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PRIVILEGE = (
    "the database user lacks a privilege the workbench needs (README, Team databases, lists "
    "them; ask the database's administrator)"
)
LOST = "the connection to the server was lost; the interrupted work was rolled back"
FULL = "the server is out of disk space; free space on the server and try again"
MEMORY = "the server is out of memory; try again later or ask its administrator"
BUSY = "the server has no connection left for us; try again later or ask its administrator"
STARTING = "the server is starting up or shutting down; try again in a moment"
BINARY_LOG = (
    "the server has binary logging on, and then creating triggers needs SUPER or "
    "log_bin_trust_function_creators = 1 (README, Team databases)"
)

# PostgreSQL: SQLSTATE codes, or their two-character class.
_POSTGRESQL = {
    "42501": PRIVILEGE,  # insufficient_privilege
    "08": LOST,  # connection exception
    "57P01": LOST,  # admin_shutdown
    "57P02": LOST,  # crash_shutdown
    "57P03": STARTING,  # cannot_connect_now
    "53100": FULL,  # disk_full
    "53200": MEMORY,  # out_of_memory
    "53300": BUSY,  # too_many_connections
}
# MariaDB / MySQL error numbers.
_MARIADB = {
    1044: PRIVILEGE,  # ER_DBACCESS_DENIED_ERROR
    1142: PRIVILEGE,  # ER_TABLEACCESS_DENIED_ERROR
    1143: PRIVILEGE,  # ER_COLUMNACCESS_DENIED_ERROR
    1227: PRIVILEGE,  # ER_SPECIFIC_ACCESS_DENIED_ERROR
    1370: PRIVILEGE,  # ER_PROCACCESS_DENIED_ERROR
    1419: BINARY_LOG,  # ER_BINLOG_CREATE_ROUTINE_NEED_SUPER
    2006: LOST,  # CR_SERVER_GONE_ERROR
    2013: LOST,  # CR_SERVER_LOST
    1021: FULL,  # ER_DISK_FULL
    1114: FULL,  # ER_RECORD_FILE_FULL
    1040: BUSY,  # ER_CON_COUNT_ERROR
    1041: MEMORY,  # ER_OUT_OF_RESOURCES
}


def shown_location(location: str | None) -> str:
    """Where, as a user may see it: a URL without its password."""
    if not location:
        return "the settlement database"
    if "://" not in location:
        return location
    try:
        return make_url(location).render_as_string(hide_password=True)
    except ArgumentError:
        head, _, tail = location.partition("@")
        return f"{head.split(':')[0]}:***@{tail}" if tail else location


def _advice(original: BaseException) -> str | None:
    sqlstate = getattr(original, "sqlstate", None)
    if isinstance(sqlstate, str):
        return _POSTGRESQL.get(sqlstate) or _POSTGRESQL.get(sqlstate[:2])
    args = getattr(original, "args", ())
    if args and isinstance(args[0], int):
        return _MARIADB.get(args[0])
    return None


def driver_line(error: BaseException | None) -> str:
    """The first line of what the driver said (PyMySQL's errors are (code, message) pairs);
    never the SQL statement or its values, which SQLAlchemy's own message adds."""
    args = getattr(error, "args", ())
    text = str(args[1]) if len(args) == 2 and isinstance(args[0], int) else str(error)
    return (text.strip().splitlines() or [type(error).__name__])[0]


def server_failure(exc: BaseException, location: str | None) -> str | None:
    """One line for a server refusal the user can act on, or None.

    Parameters
    ----------
    exc : BaseException
        What was raised (a driver error, or SQLAlchemy's wrapper of one).
    location : str, optional
        The database's path or URL (its password is not shown).

    Returns
    -------
    str or None
        "WHERE: ADVICE (what the server said)", or None when it is not such a refusal.
    """
    original = getattr(exc, "orig", None) or exc
    advice = _advice(original)
    if advice is None:
        return None
    return f"{shown_location(location)}: {advice} (the server said: {driver_line(original)})"
