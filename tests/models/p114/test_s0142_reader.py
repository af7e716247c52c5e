"""Reading hand-built S0142 files (S0142_LAYOUT.md): values typed by hand, every refusal."""

import gzip
import math
from datetime import date

import numpy as np
import pytest

from models.p114.errors import (
    ChecksumError,
    FieldValueError,
    LayoutError,
    RecordCountError,
    TruncatedFileError,
)
from models.p114.s0142_reader import read_s0142
from tests.models.p114.s0142_files import bp7, framed, s0142_records, write


@pytest.fixture
def content(tmp_path):
    return read_s0142(write(tmp_path / "S0142.txt", framed(s0142_records())))


def test_every_record_type_and_count(content):
    counts = {code: len(t) for code, t in content.tables.items()}
    assert counts == {
        "SRH": 1,
        "SPI": 48,
        "MD1": 96,
        "DB1": 1,
        "TRA": 48,
        "BPI": 96,
        "MEL": 1,
        "MIL": 1,
        "RUE": 1,
        "RUI": 1,
        "RDE": 1,
        "RDI": 1,
        "BO4": 1,
        "BO3": 1,
        "BO6": 1,
        "BO7": 1,
        "BPH": 2,
        "APC": 2,
        "SP7": 96,
        "PPC": 96,
        "SSD": 96,
        "MD2": 192,
        "DB2": 2,
        "APD": 96,
        "APB": 96,
        "BP7": 96,
        "MVR": 48,
    }
    assert content.records == 1 + sum(counts.values()) + 1 == 1124
    assert content.version == "013" and content.header.sequence == 41697


def test_header_values(content):
    assert content.first("SRH") == {
        "settlement_date": date(2026, 2, 17),
        "run_type": "R3",
        "saa_run_number": 1,
        "saa_cdca_run_number": 2,
        "svaa_cdca_settlement_date": date(2026, 2, 17),
        "svaa_cdca_run_number": 2,
        "svaa_ssr_run_number": 166705,
        "bsc_party_id": "NGC",
    }
    assert content.table("BPH").columns["bsc_party_id"].tolist() == ["GEN1", "SUP1"]


def test_typed_values_by_hand(content):
    spi = content.table("SPI").columns
    assert spi["settlement_period"].tolist() == list(range(1, 49))
    assert (
        spi["sbp"][0] == 75.13 and spi["ssp"][0] == 75.13 and spi["price_derivation_code"][0] == "N"
    )
    assert spi["field_5"][0] == "-17300.5"  # unknown item: kept as written
    assert spi["total_accepted_bid_volume"][0] == -250.125 and spi["voll"][0] == 6000.0
    assert spi["supplier_sourcing_cost"][0] == 87.21 and math.isnan(
        spi["supplier_sourcing_cost"][1]
    )
    assert spi["stor_window"].dtype == np.float64 and math.isnan(spi["stor_window"][0])
    ssd = content.table("SSD").columns
    assert (ssd["csobm"][0], ssd["niv"][0], ssd["rcrc_denominator"][0]) == (
        -1234.56,
        -120.75,
        25000.125,
    )
    assert ssd["stor_window"][0] == 0.0 and ssd["voll"][0] == 6000.0
    bp7 = content.table("BP7").columns
    assert bp7["bm_unit_id"][:2].tolist() == ["T_GEN-1", "T_GEN-1"]
    assert (bp7["cnd"][0], bp7["qme"][0], bp7["qm"][0], bp7["qndo"][0]) == (
        -12.34,
        98.5,
        99.5,
        -1.5,
    )
    assert (bp7["tlf"][0], bp7["tlm"][0]) == (0.0123457, 1.0123457)
    assert bp7["trading_unit"][0] == "Coryton LG Trading Unit"
    assert math.isnan(bp7["supplier_delivered_volume"][0])
    apd = content.table("APD").columns
    assert apd["account"][:1].tolist() == ["P"] and apd["account"][-1] == "C"
    assert (apd["caei"][0], apd["rcrc"][0], apd["qaei"][0], apd["rcrp"][0]) == (
        -4500.2,
        -55.5,
        -60.125,
        0.0039801,
    )
    bo3 = content.table("BO3").columns
    assert bo3["acceptance_number"][0] == 12345.0
    assert bo3["acceptance_time"][0] == np.datetime64("2026-02-17T00:38:00")
    assert bo3["cadl_flag"].tolist() == [False] and bo3["so_flag"][0] == 1.0
    assert content.table("BO6").columns["time_from"].tolist() == [-5]
    assert content.table("RUE").columns["rate_2"][0] == 5.5
    db1 = content.table("DB1").columns
    assert (db1["cost"][0], db1["so_flag"][0], db1["stor_flag"][0]) == (-1500.25, True, 0.0)
    assert (db1["rsp_flag"][0] != db1["rsp_flag"][0], db1["party"][0], db1["asset"][0]) == (
        True,
        "BKW Energie AG",
        "IND-MFTE1",
    )


def test_hierarchy_from_record_order(content):
    sp7, bp7, bph = content.table("SP7"), content.table("BP7"), content.table("BPH")
    # each party has 48 SP7 and each SP7 one BP7: BP7 row k under SP7 row k
    assert bp7.parent.tolist() == list(range(96))
    assert sp7.parent.tolist() == [0] * 48 + [1] * 48
    assert bph.parent.tolist() == [-1, -1] and bph.parent_code.tolist() == ["ROOT", "ROOT"]
    mvr = content.table("MVR")
    assert mvr.parent.tolist() == list(range(48)) and set(mvr.parent_code) == {"BP7"}
    # records the layout leaves open sit under the BPI they follow
    mel = content.table("MEL")
    assert mel.parent_code.tolist() == ["BPI"] and mel.parent.tolist() == [0]
    assert content.table("BO6").parent_code.tolist() == ["BO3"]
    apb = content.table("APB")
    assert apb.parent.tolist() == list(range(96))
    assert content.table("MD2").parent.tolist() == [k // 2 for k in range(192)]
    period_of_bp7 = sp7.columns["settlement_period"][bp7.parent]
    assert period_of_bp7[:3].tolist() == [1, 2, 3]
    party_of_bp7 = bph.columns["bsc_party_id"][sp7.parent[bp7.parent]]
    assert party_of_bp7[[0, 95]].tolist() == ["GEN1", "SUP1"]


@pytest.mark.parametrize(("day", "periods"), [("20260329", 46), ("20260217", 48), ("20261025", 50)])
def test_clock_change_days(tmp_path, day, periods):
    content = read_s0142(write(tmp_path / "f.txt", framed(s0142_records(day, periods))))
    assert len(content.table("SPI")) == periods
    assert content.table("SP7").columns["settlement_period"][-1] == periods


def test_period_count_must_match_the_date(tmp_path):
    path = write(tmp_path / "f.txt", framed(s0142_records("20260329", 48)))
    with pytest.raises(LayoutError, match="settlement date 2026-03-29 has 46 settlement periods"):
        read_s0142(path)


def test_periods_in_order(tmp_path):
    records = s0142_records()
    records[records.index("SP7|2|")] = "SP7|3|"
    with pytest.raises(LayoutError, match=r"line \d+: SP7 position 1 .* is '3', expected 2"):
        read_s0142(write(tmp_path / "f.txt", framed(records)))


@pytest.mark.parametrize(
    "variant",
    [
        {"bom": True},
        {"crlf": True},
        {"compress": True},
        {"bom": True, "crlf": True, "compress": True},
    ],
)
def test_bom_crlf_and_gzip_read_alike(tmp_path, content, variant):
    other = read_s0142(write(tmp_path / "v.txt", framed(s0142_records()), **variant))
    assert other.records == content.records
    for code, table in content.tables.items():
        for key, values in table.columns.items():
            np.testing.assert_array_equal(other.table(code).columns[key], values)


def test_version_014(tmp_path):
    content = read_s0142(write(tmp_path / "f.txt", framed(s0142_records(version="014"))))
    assert content.version == "014"
    assert "direct_compensation_cashflow" in content.table("BP7").columns
    assert "direct_compensation" in content.table("APC").columns


def test_version_decides_field_counts(tmp_path):
    records = [r.replace("S0142013", "S0142014", 1) for r in s0142_records()]
    apc = next(k for k, r in enumerate(records) if r.startswith("APC|")) + 1
    assert apc == 303  # AAA, SRH, 48 x 6 system records + 11 in period 1, BPH
    with pytest.raises(
        LayoutError, match=f"line {apc}: record APC has 12 fields where layout S0142014 has 13"
    ):
        read_s0142(write(tmp_path / "f.txt", framed(records)))


def test_bad_checksum(tmp_path):
    lines = framed(s0142_records())
    count, checksum = lines[-1].split("|")[1:3]
    lines[-1] = f"ZZZ|{count}|{int(checksum) ^ 1}|"
    with pytest.raises(
        ChecksumError,
        match=f"line 1124: ZZZ checksum is {int(checksum) ^ 1}, but the records give {checksum}",
    ):
        read_s0142(write(tmp_path / "f.txt", lines))


def test_changed_value_breaks_the_checksum(tmp_path):
    lines = framed(s0142_records())
    k = lines.index(bp7("T_GEN-1", "013", "99.5", "-12.34"))
    lines[k] = bp7("T_GEN-1", "013", "99.6", "-12.34")
    with pytest.raises(ChecksumError):
        read_s0142(write(tmp_path / "f.txt", lines))


def test_record_count(tmp_path):
    lines = framed(s0142_records())
    lines[-1] = lines[-1].replace("ZZZ|1124|", "ZZZ|1123|")
    with pytest.raises(RecordCountError, match="ZZZ record count is 1123, but the file holds 1124"):
        read_s0142(write(tmp_path / "f.txt", lines))


def test_truncated_plain_and_gzip(tmp_path):
    lines = framed(s0142_records())
    with pytest.raises(
        TruncatedFileError, match=r"ends at line 600 \(a .{3} record\) without the ZZZ"
    ):
        read_s0142(write(tmp_path / "f.txt", lines[:600]))
    data = gzip.compress("\n".join(lines).encode())
    path = tmp_path / "f.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(TruncatedFileError, match="gzip stream is damaged or ends early"):
        read_s0142(path)


def test_wrong_field_count(tmp_path):
    records = s0142_records()
    k = records.index("TRA|Coryton LG Trading Unit|-12.345|")
    records[k] = "TRA|Coryton LG Trading Unit|-12.345|7|"
    with pytest.raises(
        LayoutError,
        match=rf"line {k + 1}: record TRA has 3 fields where layout S0142013 has 2 "
        r"\(they differ from position 3\)",
    ):
        read_s0142(write(tmp_path / "f.txt", framed(records)))


def test_record_out_of_order(tmp_path):
    records = s0142_records()
    k = records.index("SP7|1|")
    records[k + 1], records[k + 2] = records[k + 2], records[k + 1]  # SSD before PPC
    with pytest.raises(
        LayoutError,
        match=f"line {k + 3}: record PPC is out of order: "
        f"under SP7 at line {k + 1} it comes before SSD",
    ):
        read_s0142(write(tmp_path / "f.txt", framed(records)))


def test_record_without_its_parent(tmp_path):
    records = s0142_records()
    k = records.index("SP7|1|")
    del records[k]  # PPC now follows APC directly under BPH
    with pytest.raises(
        LayoutError, match=f"line {k + 1}: record PPC is out of order: it sits under SP7"
    ):
        read_s0142(write(tmp_path / "f.txt", framed(records)))


def test_system_block_after_a_party_refused(tmp_path):
    records = s0142_records()
    k = records.index("SP7|1|")
    records.insert(k, records[2])  # an SPI inside the party block
    with pytest.raises(LayoutError, match="record SPI is out of order"):
        read_s0142(write(tmp_path / "f.txt", framed(records)))


def test_missing_mandatory_child(tmp_path):
    records = s0142_records()
    k = records.index("SP7|1|")
    del records[k + 1]  # the PPC of party 1, period 1
    with pytest.raises(
        LayoutError,
        match=f"SP7 at line {k + 1} has 0 PPC record.s. where layout S0142013 needs at least 1",
    ):
        read_s0142(write(tmp_path / "f.txt", framed(records)))


def test_second_ppc_refused(tmp_path):
    records = s0142_records()
    k = records.index("SP7|1|")
    records.insert(k + 1, records[k + 1])
    with pytest.raises(
        LayoutError,
        match=f"line {k + 3}: record PPC is one too many: SP7 at line {k + 1} has at most 1",
    ):
        read_s0142(write(tmp_path / "f.txt", framed(records)))


def test_inferred_rule_says_so(tmp_path):
    records = s0142_records()
    k = records.index("BO6|-5|0|10|50.25|")
    records.insert(k - 1, records[k])  # BO6 before its BO3
    with pytest.raises(LayoutError, match=r"record BO6 is out of order.*inferred"):
        read_s0142(write(tmp_path / "f.txt", framed(records)))


def test_unknown_record_type(tmp_path):
    records = s0142_records()
    records.insert(5, "FPN|0|1|30|1|")
    with pytest.raises(LayoutError, match="line 6: record type 'FPN' is not in layout S0142013"):
        read_s0142(write(tmp_path / "f.txt", framed(records)))


def test_bad_value_names_record_line_and_position(tmp_path):
    records = s0142_records()
    k = records.index(bp7("T_GEN-1", "013", "99.5", "-12.34"))
    records[k] = bp7("T_GEN-1", "013", "99.50", "-12.34")
    with pytest.raises(
        FieldValueError,
        match=rf"line {k + 1}: BP7 position 8 \(N0035 BM Unit Metered Volume, "
        r"decimal\(10,3\)\): '99.50' not a valid",
    ):
        read_s0142(write(tmp_path / "f.txt", framed(records)))


def test_blank_line_refused_but_blank_lines_after_the_trailer_allowed(tmp_path):
    lines = framed(s0142_records())
    read_s0142(write(tmp_path / "f.txt", [*lines, "", ""]))
    records = s0142_records()
    records.insert(10, "")
    with pytest.raises(LayoutError, match="line 11: an empty line inside the file"):
        read_s0142(write(tmp_path / "g.txt", framed(records)))


def test_a_v014_record_in_a_v013_file_is_named(tmp_path):
    records = s0142_records()
    k = records.index(bp7("T_GEN-1", "013", "99.5", "-12.34"))
    records[k] = bp7("T_GEN-1", "014", "99.5", "-12.34")
    with pytest.raises(LayoutError, match="27 is the count of layout S0142014, which the AAA"):
        read_s0142(write(tmp_path / "f.txt", framed(records)))
