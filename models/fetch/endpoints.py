"""The Insights API endpoints of each dataset a settlement needs, and how a day is split into
requests.

Source of the shapes and range limits below: Elexon's Insights OpenAPI document
(https://data.elexon.co.uk/swagger/v1/swagger.json, "Insights.Api" 1.0; checked against the copy
fetched on 2026-10-04 that api-evangelist/elexon keeps as openapi/_original/openapi.json,
sha256 31850b4267615c8da3377e13ce3cda189bee30dabb79c1984dea2596a8467f1c), and
elexon-data/insights-docs (docs/dataset_and_timestamp_reference.md).
Where that document limits an endpoint's range it says so in the endpoint's description ("a
maximum data output range of 7 days", FREQ's 24 hours...); it states no such limit for any
endpoint used here, and none of them takes paging parameters: a request's answer is the whole
of its range.
- PN and QPN (`/datasets/PN`, `/datasets/QPN`): `settlementDate` and `settlementPeriod`, both
  required: "It returns the data valid for a single settlement period". A day is 46, 48 or 50
  requests. Answer `{"data": [...]}`.
- The settlement stack (`/balancing/settlement/stack/all/{bidOffer}/{settlementDate}/
  {settlementPeriod}`, ISPSTACK): one side (`bid` or `offer`) of one period per request, two
  requests per period. Answer `{"data": [...], "metadata": {"datasets": [...]}}`; its items
  (SettlementStackResponse) state settlementDate, settlementPeriod, startTime,
  createdDateTime, sequenceNumber, id, acceptanceId, bidOfferPairId, the flags, the prices and
  each stage's volume, but neither a `dataset` nor the side: the URL's side is added when
  staged (models.fetch.day_import). The document marks most of the volumes nullable.
- System prices (`/balancing/settlement/system-prices/{settlementDate}`, DISEBSP): one
  settlement date, the latest settlement run's prices of each period; answer with metadata.
- MELS, MILS, BOD, BOALF, DISBSAD, NETBSAD and MID: `from`/`to` (required) with
  `settlementPeriodFrom`/`settlementPeriodTo`, which make from/to filter on the settlement date
  and period (for BOD and BOALF: of the record's timeFrom); no maximum range is stated. A day is
  asked for in windows of a few periods for the large BM datasets (to keep each answer a few
  megabytes) and whole for the small ones. Answer `{"data": [...]}`.
- LOLPDRM (`/datasets/LOLPDRM`): only `publishDateTimeFrom`/`publishDateTimeTo` (both
  required, on the publish time); no maximum stated. Answer `{"data": [...]}` without metadata
  (LossOfLoadProbabilityDeratedMarginData): dataset "LOLPDRM", publishTime,
  publishingPeriodCommencingTime, startTime, settlementDate, settlementPeriod,
  lossOfLoadProbability, deratedMargin; every forecast horizon, none stated (the import keeps
  the 1-hour-ahead one; day_import adds the horizon). The IRIS archive names the dataset
  LOLPDM (insights-docs), so a record tagged so is taken as LOLPDRM too. The day's window of
  publications is asked for, and the import keeps the records of the date.
  (`/forecast/system/loss-of-load` gives each period's 1, 2, 4, 8 and 12-hour forecasts by
  settlement date; it is not used, so that the records are the dataset's own publications, as
  the importer reads them from LOLPDRM files.)
- The BM unit reference (`/reference/bmunits/all`) takes no parameters: the current register,
  a JSON list of BmUnitData.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from engine.settlement_calendar import local_midnight_utc, periods_in_day

DEFAULT_BASE_URL = "https://data.elexon.co.uk/bmrs/api/v1"


@dataclass(frozen=True)
class Request:
    """One GET of the Insights API: its path and query parameters, and what it is for."""

    dataset: str
    day: date | None  # None for the register, which is not dated
    path: str
    params: tuple[tuple[str, str], ...] = ()
    periods: tuple[int, int] | None = None  # settlement periods the answer must lie in

    @property
    def label(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params)
        return self.path + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Endpoint:
    """A dataset's endpoint: how a settlement day becomes requests, and what its answers hold.

    importer_dataset: the name of the importer's description (models.imports.datasets) the
    records must be identified as. must_exist: an empty day is a bad answer (every settlement
    day has these records).
    """

    dataset: str
    importer_dataset: str
    plan: Callable[[date], list[Request]]
    must_exist: bool = False
    dated: bool = True  # records carry the settlement date asked for
    # other names the records' `dataset` field may give the dataset (besides the importer's)
    aliases: tuple[str, ...] = ()


def _iso(day: date) -> str:
    return day.isoformat()


def _per_period(dataset: str, path: str) -> Callable[[date], list[Request]]:
    def plan(day: date) -> list[Request]:
        return [
            Request(
                dataset,
                day,
                path,
                (("settlementDate", _iso(day)), ("settlementPeriod", str(p)), ("format", "json")),
                (p, p),
            )
            for p in range(1, periods_in_day(day) + 1)
        ]

    return plan


def _windows(dataset: str, path: str, size: int) -> Callable[[date], list[Request]]:
    """Settlement-date filtering in windows of `size` periods (the last one may be shorter)."""

    def plan(day: date) -> list[Request]:
        last = periods_in_day(day)
        out = []
        for first in range(1, last + 1, size):
            end = min(last, first + size - 1)
            params = (
                ("from", _iso(day)),
                ("to", _iso(day)),
                ("settlementPeriodFrom", str(first)),
                ("settlementPeriodTo", str(end)),
                ("format", "json"),
            )
            out.append(Request(dataset, day, path, params, (first, end)))
        return out

    return plan


def _stack(day: date) -> list[Request]:
    return [
        Request(
            "ISPSTACK",
            day,
            f"/balancing/settlement/stack/all/{side}/{_iso(day)}/{p}",
            (("format", "json"),),
            (p, p),
        )
        for p in range(1, periods_in_day(day) + 1)
        for side in ("bid", "offer")
    ]


def _system_prices(day: date) -> list[Request]:
    path = f"/balancing/settlement/system-prices/{_iso(day)}"
    return [Request("DISEBSP", day, path, (("format", "json"),), (1, periods_in_day(day)))]


def _lolpdrm(day: date) -> list[Request]:
    # Publications from an hour before the day's first period (the 1-hour-ahead forecast of
    # period 1) to the start of its last one.
    start = local_midnight_utc(day) - timedelta(hours=1)
    end = local_midnight_utc(day + timedelta(days=1))
    stamp = "%Y-%m-%dT%H:%MZ"
    params = (
        ("publishDateTimeFrom", start.strftime(stamp)),
        ("publishDateTimeTo", end.strftime(stamp)),
        ("format", "json"),
    )
    return [Request("LOLPDRM", day, "/datasets/LOLPDRM", params)]


def _register(day: date | None = None) -> list[Request]:
    return [Request("REGISTER", None, "/reference/bmunits/all")]


BM_WINDOW = 4  # periods per request of the large BM datasets (two hours)

ENDPOINTS: dict[str, Endpoint] = {
    e.dataset: e
    for e in (
        Endpoint("PN", "PN", _per_period("PN", "/datasets/PN"), must_exist=True),
        Endpoint("QPN", "QPN", _per_period("QPN", "/datasets/QPN")),
        Endpoint("MELS", "MELS", _windows("MELS", "/datasets/MELS", BM_WINDOW), must_exist=True),
        Endpoint("MILS", "MILS", _windows("MILS", "/datasets/MILS", BM_WINDOW), must_exist=True),
        Endpoint("BOD", "BOD", _windows("BOD", "/datasets/BOD", BM_WINDOW), must_exist=True),
        Endpoint("BOALF", "BOALF", _windows("BOALF", "/datasets/BOALF", BM_WINDOW)),
        Endpoint("DISBSAD", "DISBSAD", _windows("DISBSAD", "/datasets/DISBSAD", 50)),
        Endpoint("NETBSAD", "NETBSAD", _windows("NETBSAD", "/datasets/NETBSAD", 50)),
        Endpoint("MID", "MID", _windows("MID", "/datasets/MID", 50), must_exist=True),
        Endpoint("LOLPDRM", "LOLPDRM", _lolpdrm, dated=False, aliases=("LOLPDM",)),
        Endpoint("DISEBSP", "DISEBSP", _system_prices, must_exist=True),
        Endpoint("ISPSTACK", "STACK", _stack),
        Endpoint("REGISTER", "BMUNITS", _register, dated=False),
    )
}
DEFAULT_DATASETS = tuple(ENDPOINTS)


def parse_datasets(text: str) -> tuple[str, ...]:
    """`PN,BOD,...` (any case) → dataset names, checked against the endpoint table."""
    names = [n.strip().upper() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in ENDPOINTS]
    if unknown or not names:
        raise ValueError(
            f"unknown dataset {', '.join(unknown) or '(none given)'}: expected some of "
            f"{','.join(DEFAULT_DATASETS)}"
        )
    return tuple(dict.fromkeys(names))


def plan_requests(days: list[date], datasets: tuple[str, ...]) -> list[Request]:
    """Every request of `datasets` over `days`; the register (not dated) once."""
    out: list[Request] = []
    for dataset in datasets:
        endpoint = ENDPOINTS[dataset]
        if dataset == "REGISTER":
            out += endpoint.plan(days[0])
            continue
        for day in days:
            out += endpoint.plan(day)
    return out
