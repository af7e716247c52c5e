"""Recent databases: stored as absolute paths (a relative one failed from another folder),
or as server URLs without their password (never written to the settings: reopening asks for
it again), and the last one reopened when the workbench starts without a path. Standard
library only at module level: this runs before Qt is imported."""

from __future__ import annotations

import os
import re

MAX_RECENT = 8


def is_url(location: str) -> bool:
    """A SQLAlchemy URL (postgresql://…), which has no folder to resolve against."""
    return "://" in location


def is_server_url(location: str) -> bool:
    """A server database's URL (PostgreSQL, MariaDB…), not a path or a sqlite:/// URL; a URL
    that does not parse is not one (opening it says why)."""
    if not is_url(location):
        return False
    from sqlalchemy.engine import make_url

    try:
        return make_url(location).get_backend_name() != "sqlite"
    except Exception:  # ArgumentError, ValueError: not a URL
        return False


def without_password(location: str) -> str:
    """A URL with its password removed (user, host, port, database and query kept); a path,
    or a URL that does not parse, as it is."""
    if not is_url(location):
        return location
    from sqlalchemy.engine import make_url

    try:
        url = make_url(location)
    except Exception:  # ArgumentError, ValueError: what may be a password goes all the same
        return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1@", location)
    if url.password is None:
        return location
    # URL.set(password=None) changes nothing (None means "keep"): the named tuple's replace.
    return url._replace(password=None).render_as_string(hide_password=False)


def absolute(location: str) -> str:
    """A database file's absolute path (symbolic links kept, as the user named it); a URL as
    it is."""
    if is_url(location):
        return location
    return os.path.abspath(os.path.expanduser(location))


def recent(settings) -> list[str]:
    return [str(p) for p in settings.value("recent", [], type=list) if p]


def remember(settings, location: str) -> list[str]:
    """Put `location` (made absolute; a URL without its password) first in the recent list;
    the list as it is now."""
    location = without_password(absolute(location))
    others = [p for p in recent(settings) if p != location]
    files = [location, *others][:MAX_RECENT]
    settings.setValue("recent", files)
    return files


def last_database(settings) -> tuple[str | None, str | None]:
    """What to open when started with no path: (the last database, None) if it still
    exists, else (None, why not) — or (None, None) when nothing was opened before."""
    files = recent(settings)
    if not files:
        return None, None
    last = files[0]
    if is_url(last):
        return last, None
    if not os.path.isabs(last):  # stored by an older version, relative to an unknown folder
        return None, (
            f"The last database, {last}, was remembered without its folder: open it again (Ctrl+O)."
        )
    if not os.path.isfile(last):
        return None, (
            f"The last database, {last}, no longer exists: open one (Ctrl+O) or create a "
            "demo (Ctrl+N)."
        )
    return last, None
