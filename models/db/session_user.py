"""Who writes to a database: the database user a connection is logged in as, and the OS user
of the process. The audit trail of scenarios records both (issue 21): on a team database the
workbench's own author name is only what the analyst typed or the OS said, while the database
user is what the server authenticated.
"""

from __future__ import annotations

import getpass
import os

from sqlalchemy import Connection, text

# The server's name of the logged-in user: PostgreSQL's role, MariaDB's account (user@host, as
# the server matched it to a grant). SQLite has no users.
_CURRENT_USER = {"postgresql": "SELECT current_user", "mysql": "SELECT CURRENT_USER()"}
_CACHED = "workbench_database_user"


def database_user(conn: Connection) -> str:
    """The database user `conn` is logged in as ('' on SQLite), asked once per connection."""
    query = _CURRENT_USER.get(conn.dialect.name)
    if query is None:
        return ""
    info = conn.connection.info  # kept with the pooled DB-API connection: one login, one user
    if _CACHED not in info:
        info[_CACHED] = str(conn.execute(text(query)).scalar_one())
    return info[_CACHED]


def os_user() -> str:
    """The OS user running this process; its numeric id where it has no name (a container
    without a passwd entry for it)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else ""
