"""Errors the user can act on. Each message names the file, key or record, and what was expected."""


class WorkbenchInputError(Exception):
    """Bad input from the user (a file, key or argument): one line, never a traceback."""


class DatabaseOpenError(WorkbenchInputError):
    """The file cannot be opened as a settlement run database; nothing was changed."""


class RunNotFoundError(WorkbenchInputError):
    """No run matches the settlement date, run type and number asked for."""


class RunImmutableError(WorkbenchInputError):
    """A loaded run's inputs cannot change; what-if edits belong in a scenario."""


class CaseFileError(WorkbenchInputError):
    """A case file does not follow the settlement-case/1 format."""
