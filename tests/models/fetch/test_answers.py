"""An Insights answer is checked before it is cached: whole UTF-8 JSON (else asked again), then
the dataset, settlement date and periods asked for (else wrong, and not asked again)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from models.fetch.answers import BadAnswer, records_of
from models.fetch.endpoints import ENDPOINTS

D = date(2022, 1, 1)
PN_27 = ENDPOINTS["PN"].plan(D)[26]  # period 27 of PN


def pn(period=27, day="2022-01-01") -> dict:
    return {"dataset": "PN", "settlementDate": day, "settlementPeriod": period,
            "timeFrom": "2022-01-01T12:00:00Z", "timeTo": "2022-01-01T12:30:00Z",
            "levelFrom": 10, "levelTo": 10, "bmUnit": "T_A-1",
            "nationalGridBmUnit": "A-1"}  # fmt: skip


def refused(request, body: bytes) -> BadAnswer:
    with pytest.raises(BadAnswer) as raised:
        records_of(request, body)
    return raised.value


def test_the_records_of_a_data_document_or_of_a_list():
    record = pn()
    assert records_of(PN_27, json.dumps({"data": [record]}).encode()) == [record]
    assert records_of(PN_27, json.dumps([record]).encode()) == [record]
    assert records_of(PN_27, b"\xef\xbb\xbf" + json.dumps([record]).encode()) == [record]  # BOM


def test_a_body_that_is_not_whole_json_may_be_a_passing_fault():
    bad = refused(PN_27, b"\xff\xfe")
    assert (str(bad), bad.retry) == ("not UTF-8 text (byte 0)", True)
    cut = json.dumps({"data": [pn()]}).encode()[:40]
    bad = refused(PN_27, cut)
    assert (
        bad.retry
        and str(bad).startswith("not valid JSON (")
        and "of 40 bytes: cut off?" in str(bad)
    )


def test_an_answer_for_another_date_period_or_dataset_is_wrong_and_not_asked_again():
    for record, why in [
        (pn(day="2022-01-02"), "data[0] settlementDate '2022-01-02', expected 2022-01-01"),
        (pn(period=28), "data[0] settlementPeriod 28, expected 27"),
        ({**pn(), "dataset": "BOD"}, "data[0] is dataset 'BOD', expected PN"),
        (42, "data[0] is not a record (a JSON object)"),
    ]:
        bad = refused(PN_27, json.dumps({"data": [record]}).encode())
        assert (str(bad), bad.retry) == (why, False)


def test_answer_checks_on_metadata_and_signatures():
    stack = ENDPOINTS["ISPSTACK"].plan(D)[0]  # period 1, bid
    item = {"settlementDate": "2022-01-01", "settlementPeriod": 1, "sequenceNumber": 1,
            "dmatAdjustedVolume": -5.0}  # fmt: skip
    for metadata in ({}, {"datasets": ["SOMETHINGELSE"]}, {"datasets": ["ISPSTACK"]}):
        body = json.dumps({"metadata": metadata, "data": [item]}).encode()
        assert records_of(stack, body) == [item]
    body = json.dumps({"metadata": {"datasets": ["DISEBSP"]}, "data": [item]}).encode()
    with pytest.raises(BadAnswer, match="is dataset 'DISEBSP', expected ISPSTACK"):
        records_of(stack, body)
    prices = {"settlementDate": "2022-01-01", "settlementPeriod": 1, "systemSellPrice": 1.0,
              "systemBuyPrice": 1.0, "priceDerivationCode": "N"}  # fmt: skip
    with pytest.raises(BadAnswer, match="has the fields of DISEBSP, expected ISPSTACK"):
        records_of(stack, json.dumps({"data": [prices]}).encode())
    with pytest.raises(BadAnswer, match=r"expected \{\"data\": \[...\]\}"):
        records_of(stack, b'{"error": "x"}')


def lolpdrm(published: str, tag: str = "LOLPDRM") -> dict:
    # The OpenAPI document's LossOfLoadProbabilityDeratedMarginData, for 2024-06-12 SP3.
    return {"dataset": tag, "publishTime": published,
            "publishingPeriodCommencingTime": "2024-06-11T23:00Z",
            "startTime": "2024-06-12T00:00Z", "settlementDate": "2024-06-12",
            "settlementPeriod": 3, "lossOfLoadProbability": 0.0, "deratedMargin": 8123.5,
    }  # fmt: skip


def test_lolpdrm_publications_must_lie_in_the_publish_times_asked_for():
    (request,) = ENDPOINTS["LOLPDRM"].plan(date(2024, 6, 12))  # 2024-06-11T22:00Z to 23:00Z
    inside = [lolpdrm("2024-06-11T22:00Z"), lolpdrm("2024-06-11 23:09:15Z", tag="LOLPDM"),
              lolpdrm("2024-06-12T23:00Z")]  # fmt: skip
    assert records_of(request, json.dumps({"data": inside}).encode()) == inside
    for published in ("2024-06-11T21:59Z", "2024-06-12T23:00:01Z", None, "soon"):
        bad = refused(request, json.dumps({"data": [lolpdrm(published)]}).encode())
        assert (str(bad), bad.retry) == (
            f"data[0] publishTime {published!r}, expected 2024-06-11T22:00Z to 2024-06-12T23:00Z",
            False,
        )
    bad = refused(request, json.dumps({"data": [lolpdrm("2024-06-12T01:00Z", "MID")]}).encode())
    assert str(bad) == "data[0] is dataset 'MID', expected LOLPDRM"
    # The IRIS name is taken for LOLPDRM only.
    bad = refused(PN_27, json.dumps({"data": [{**pn(), "dataset": "LOLPDM"}]}).encode())
    assert str(bad) == "data[0] is dataset 'LOLPDM', expected PN"
