"""Why a P114 flat file is refused: one line naming the file, record, line and position."""

from models.core.errors import WorkbenchInputError


class P114Error(WorkbenchInputError):
    """A P114 flat file (S0142, C0421) cannot be read as the layout describes."""


class FramingError(P114Error):
    """The AAA header, ZZZ trailer, line structure or compression is wrong (IDD §2.2)."""


class TruncatedFileError(FramingError):
    """The file ends before its ZZZ trailer."""


class RecordCountError(FramingError):
    """The ZZZ record count disagrees with the records in the file."""


class ChecksumError(FramingError):
    """The ZZZ checksum disagrees with the checksum of the records in the file."""


class LayoutError(P114Error):
    """A record's type, field count, place in the record tree or cardinality contradicts the
    layout."""


class FieldValueError(P114Error):
    """A field's value is not of its IDD data type."""
