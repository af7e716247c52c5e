"""File › Fetch from Elexon…: the dialog's choices become a background job (progress, cancel)
that fetches into the cache and imports each date, ending with the import report.

Cancelled while fetching, what arrived stays in the cache and nothing is imported; cancelled
while importing a date, that date's transaction rolls back (the dates before it stay).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from models.imports.report import ImportSummary

MAX_DAYS = 62


def merged_summary(summaries: list[ImportSummary]) -> ImportSummary:
    """One summary of the imports of several dates, for one report dialog."""
    merged = ImportSummary()
    for s in summaries:
        merged.files += s.files
        merged.records += Counter(s.records)
        merged.duplicates += s.duplicates
        merged.dates += s.dates
        merged.register_units += s.register_units
        merged.notes += [n for n in s.notes if n not in merged.notes]
        merged.warnings += s.warnings
        merged.snapshots += s.snapshots
    return merged


def fetch_work(db, options, cache_root=None, sleep=None):
    """The job's work: (progress, cancelled) -> ImportSummary, or the ImportReport of the date
    that was refused."""
    from engine.settlement_calendar import RunType
    from models.fetch.cache import ResponseCache, default_cache_dir
    from models.fetch.client import ClientSettings, InsightsClient
    from models.fetch.session import fetch_dates, import_dates
    from models.imports.report import ImportRejected

    count = (options.last - options.first).days + 1
    days = [options.first + timedelta(days=n) for n in range(count)]

    def work(progress, cancelled):
        cache = ResponseCache(cache_root or default_cache_dir())
        client = None
        if not options.offline:
            client = InsightsClient(ClientSettings(base_url=options.base_url))
            if sleep is not None:
                client.sleep = sleep
        try:
            fetch = fetch_dates(
                days,
                options.datasets,
                cache,
                options.base_url,
                client,
                refresh=options.refresh,
                # As the CLI says it: requests, records, rate and ETA (the status line).
                progress=lambda p: progress(0.7 * p.fraction(), p.text()),
                cancelled=cancelled,
            )
        finally:
            if client is not None:
                client.close()
        results = []
        try:
            import_dates(
                db,
                fetch,
                RunType(options.run_type),
                lambda f, t: progress(0.7 + 0.3 * f, t),
                results,
                cancelled=cancelled,
            )
        except ImportRejected as exc:
            return exc.report
        return merged_summary([r.summary for r in results if r.summary is not None])

    return work, days


def too_many_days(first: date, last: date) -> str | None:
    count = (last - first).days + 1
    if count > MAX_DAYS:
        return f"{count} days: fetch at most {MAX_DAYS} at a time"
    return None
