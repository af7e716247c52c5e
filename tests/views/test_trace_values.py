"""Trace values for a person: units, precision, local times, lists and dicts as sub-rows."""

from __future__ import annotations

from datetime import date

from views.trace_values import MONEY, MWH, PRICE, RATIO, Clock, kind_of, show


def test_numbers_carry_their_unit_and_precision():
    assert show("CND", 4843.1625, MONEY).text == "£4,843.16"  # was "4843.1625 £"
    assert show("CND", -1234.5, MONEY).text == "-£1,234.50"
    assert show("CAEI", -0.0001, MONEY).text == "£0.00"  # never "£-0.00"
    assert show("QM", 12345.6789, MWH).text == "12,345.679 MWh"
    assert show("SSP", -45.6, PRICE).text == "-£45.60/MWh"
    tlm = show("TLM", 1.027878868, RATIO)
    assert tlm.text == "1.027879"  # 6 places, not 9
    assert tlm.raw == 1.027878868 and tlm.tooltip == "1.027878868"  # in full when copied


def test_the_kind_of_number_comes_from_the_rulebook_name():
    assert kind_of("QM") == MWH and kind_of("Σ delivering primary non-IC QM") == MWH
    assert kind_of("QII = QM − QME") == MWH and kind_of("Σ TLM-adjusted volume") == MWH
    assert kind_of("TLF") == RATIO and kind_of("TLMO+") == RATIO and kind_of("RCRP_a") == RATIO
    assert kind_of("SBP = SSP") == PRICE and kind_of("PO") == PRICE
    assert kind_of("TRC_j = Σ CAEI") == MONEY and kind_of("Σ TLM-adjusted cost") == MONEY
    assert kind_of("repriced items") == ""  # a count
    assert kind_of("anything", "£/MWh") == PRICE  # the step's unit wins


def test_missing_and_empty_values_are_words():
    assert show("MIP", None).text == "unavailable"
    assert show("sold to (account, MWh)", []).text == "none"
    assert show("so", True).text == "yes" and show("so", False).text == "no"


def test_a_dict_is_one_line_with_a_sub_row_per_key():
    shown = show("result", {"QAO_nj": 42.5, "QAB_nj": -3.25}, MWH)
    assert shown.text == "QAO_nj 42.500 MWh · QAB_nj -3.250 MWh"
    assert [(c.label, c.text, c.raw) for c in shown.children] == [
        ("QAO_nj", "42.500 MWh", 42.5),
        ("QAB_nj", "-3.250 MWh", -3.25),
    ]


def test_tuples_named_by_their_fields_become_sub_rows():
    allocation = [(1, 0.008, -0.0, 158.26, 151.75)]
    shown = show("allocation (pair, QNDO, QNDB, PO, PB)", allocation)
    assert shown.text == "1 row"
    (pair,) = shown.children
    assert pair.label == "pair 1"
    assert pair.text == "QNDO 0.008 MWh · QNDB 0.000 MWh · PO £158.26/MWh · PB £151.75/MWh"
    assert [c.raw for c in pair.children] == [1, 0.008, -0.0, 158.26, 151.75]
    items = show("items (id, acceptance, pair, MWh, £/MWh)", [("T_A-1", 3, -1, 2.5, 9999.0)])
    assert items.children[0].label == "id T_A-1"
    assert (
        items.children[0].text == "acceptance 3 · pair -1 · volume 2.500 MWh · price £9,999.00/MWh"
    )


def test_utc_spot_times_are_local_clock_times_with_utc_in_the_tooltip():
    summer = Clock(date(2024, 6, 12), 12)  # 05:30–06:00 BST is 04:30–05:00 UTC
    levels = show("result", [("04:30Z", 431.0), ("04:31Z", 420.5)], "MW", summer)
    assert levels.text == "05:30 BST 431.000 MW · 05:31 BST 420.500 MW"
    many = show(
        "r", [(f"04:{m:02d}Z", 4.0) for m in range(30, 60)] + [("05:00Z", 1.0)], "MW", summer
    )
    assert many.text == "31 spot times" and many.children[-1].label == "06:00 BST"
    first = levels.children[0]
    assert (first.label, first.text) == ("05:30 BST", "431.000 MW")
    assert "04:30 UTC" in first.tooltip and first.raw == 431.0
    winter = Clock(date(2022, 1, 1), 12)
    assert show("t", "05:30Z", clock=winter).text == "05:30 GMT"
    # The day the clocks go back: 01:10 local happens twice, once in BST, once in GMT.
    assert show("t", "00:10Z", clock=Clock(date(2024, 10, 27), 3)).text == "01:10 BST"
    assert show("t", "01:10Z", clock=Clock(date(2024, 10, 27), 5)).text == "01:10 GMT"
    # Before midnight UTC, on the settlement day in local time.
    assert show("t", "23:10Z", clock=Clock(date(2024, 6, 12), 1)).text == "00:10 BST"
    instant = show("acceptance time", "2024-06-12T12:07:00+00:00", clock=summer)
    assert instant.text == "2024-06-12 13:07 BST" and "2024-06-12 12:07 UTC" in instant.tooltip
    segment = show("levels (from, MW, to, MW)", [("12:09Z", 0.0, "12:13Z", 8.0)], clock=summer)
    assert (segment.children[0].label, segment.children[0].text) == (
        "13:09 BST → 13:13 BST",
        "0.000 MW → 8.000 MW",
    )
