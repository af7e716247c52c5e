"""The limits the workbench holds every input to, in one place (README: *Limits*).

Each is far beyond a real GB settlement day (about 1,000 BM units, 50 periods, 150 MB of
Elexon files, 480,000 bid-offer records and 10,000 acceptances a day) and well short of what
would exhaust a desktop's memory or overflow a column or a float.
"""

from __future__ import annotations

from datetime import date

# Files
MAX_FILE_BYTES = 1_000_000_000  # one data file as read, after decompression
# A gzip file expanding more than this many times is refused once past 100 MB (real Elexon
# JSON and CSV compress 5 to 20 times): a decompression bomb is stopped early.
MAX_GZIP_RATIO = 200
GZIP_RATIO_CHECKED_FROM = 100_000_000
MAX_RECORDS_PER_FILE = 5_000_000  # records (lines or JSON objects) in one data file
MAX_CASE_FILE_BYTES = 200_000_000
MAX_ACCEPTANCES_PER_CASE = 50_000  # validated and settled in about 30 s
# Acceptance (BOALF) records in one import, all files together: an import holds every record
# in memory until it is written, and 1,000,000 exhaust a desktop's. 50 busy GB days.
MAX_ACCEPTANCE_RECORDS_PER_IMPORT = 500_000
MAX_JSON_NESTING = 32  # a case file needs 5 levels, an Insights response 4

# Values
MAX_TEXT_LENGTH = 10_000  # characters in one id, name, reason or other text value
MAX_INTEGER_DIGITS = 30  # longer integer literals are refused before they are converted
BIGINT = (-(2**63), 2**63 - 1)  # a BigInteger column (SQLite INTEGER, numpy int64)
INTEGER = (-(2**31), 2**31 - 1)  # an Integer column
# Settlement dates the calendar, the run store and the exports can hold: from NETA go-live
# (27 March 2001) to the end of 2099.
FIRST_SETTLEMENT_DATE = date(2001, 3, 27)
LAST_SETTLEMENT_DATE = date(2099, 12, 31)
# Largest plausible magnitudes by unit (as models.imports.datasets.PLAUSIBLE).
MAX_MW = 1e5
MAX_MWH = 1e6
MAX_PRICE = 1e6  # £/MWh
MAX_MONEY = 1e10  # £
