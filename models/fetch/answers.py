"""Checking an Insights answer before it is cached: whole JSON, the dataset and the settlement
date and periods asked for (LOLPDRM, asked for by publish time: the publish times asked for).

A body that is not JSON (cut off, an error page) may be a passing fault and is asked for again;
a well-formed answer for another dataset, date or period is wrong, and is not.
"""

from __future__ import annotations

import json
from datetime import datetime

from models.fetch.endpoints import ENDPOINTS, Request
from models.imports.datasets import DATASETS, identify, normalise

# Another name of an endpoint's dataset -> the importer's description of it.
ENDPOINT_OF_ALIAS = {a: e.importer_dataset for e in ENDPOINTS.values() for a in e.aliases}


class BadAnswer(Exception):
    """An answer that cannot be used. `retry`: asking again may help."""

    def __init__(self, reason: str, retry: bool) -> None:
        super().__init__(reason)
        self.retry = retry


def records_of(request: Request, body: bytes) -> list[dict]:
    """The answer's records, checked against the request; raises BadAnswer."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BadAnswer(f"not UTF-8 text (byte {exc.start})", retry=True) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise BadAnswer(
            f"not valid JSON ({exc.msg} at {where} of {len(body):,} bytes: cut off?)", retry=True
        ) from None
    hint = None
    if isinstance(document, list):
        records = document
    elif isinstance(document, dict) and isinstance(document.get("data"), list):
        records = document["data"]
        named = (document.get("metadata") or {}).get("datasets")
        if isinstance(named, list) and len(named) == 1:
            hint = str(named[0])
    else:
        shown = sorted(map(str, document))[:6] if isinstance(document, dict) else type(document)
        raise BadAnswer(f'expected {{"data": [...]}} or a list of records, found {shown}', False)
    endpoint = ENDPOINTS[request.dataset]
    expected = DATASETS[endpoint.importer_dataset]
    window = _publish_window(request)
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise BadAnswer(f"data[{index}] is not a record (a JSON object)", retry=False)
        _check_record(request, endpoint.dated, expected.name, record, index, hint)
        if window is not None:
            _check_published(record, index, window)
    return records


def _publish_window(request: Request) -> tuple[datetime, datetime] | None:
    params = dict(request.params)
    if "publishDateTimeFrom" not in params:
        return None
    return _instant(params["publishDateTimeFrom"]), _instant(params["publishDateTimeTo"])


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _check_published(record: dict, index: int, window: tuple[datetime, datetime]) -> None:
    # The filter is inclusive at both ends (the OpenAPI document's "from"/"to" convention).
    text = record.get("publishTime")
    try:
        when = _instant(text) if isinstance(text, str) else None
    except ValueError:
        when = None
    first, last = window
    if when is None or not first <= when <= last:
        raise BadAnswer(
            f"data[{index}] publishTime {text!r}, expected {first:%Y-%m-%dT%H:%MZ} to "
            f"{last:%Y-%m-%dT%H:%MZ}",
            retry=False,
        )


def _known(tag: str, aliases: tuple[str, ...]):
    name = tag.upper()
    return DATASETS.get(name) or (
        DATASETS.get(ENDPOINT_OF_ALIAS[name]) if name in aliases else None
    )


def _check_record(
    request: Request, dated: bool, expected: str, record: dict, index: int, hint: str | None
) -> None:
    # A record's own dataset field is decisive; the answer's metadata only when it names a
    # dataset the importer knows (the documented example of the metadata is "DATASET").
    aliases = ENDPOINTS[request.dataset].aliases
    tag = record.get("dataset")
    if tag is None and hint is not None and _known(hint, aliases) is not None:
        tag = hint
    if tag is not None:
        found = _known(str(tag), aliases)
        if found is None or found.name != expected:
            raise BadAnswer(
                f"data[{index}] is dataset {tag!r}, expected {request.dataset}", retry=False
            )
    elif index == 0:
        found = identify({normalise(k) for k in record})
        if found is None or found.name != expected:
            what = found.name if found else "no known dataset"
            raise BadAnswer(
                f"data[0] has the fields of {what}, expected {request.dataset}", retry=False
            )
    if not dated or request.day is None:
        return
    day = record.get("settlementDate")
    if day != request.day.isoformat():
        raise BadAnswer(
            f"data[{index}] settlementDate {day!r}, expected {request.day.isoformat()}",
            retry=False,
        )
    period = record.get("settlementPeriod", record.get("settlementPeriodFrom"))
    if request.periods is not None and period is not None:
        first, last = request.periods
        if not isinstance(period, int) or not first <= period <= last:
            span = f"{first}" if first == last else f"{first}-{last}"
            raise BadAnswer(
                f"data[{index}] settlementPeriod {period!r}, expected {span}", retry=False
            )
