"""Hand-built S0142 files with what a real file may hold and our writer never writes (issue 18):
record types the layout makes optional left out, its open parents, optional fields filled,
header variants; each accepted as S0142_LAYOUT.md allows, or refused in one line."""

import struct

import pytest

from models.p114.errors import FieldValueError, FramingError, LayoutError
from models.p114.layout import S0142_RECORDS
from models.p114.s0142_reader import read_s0142
from tests.models.p114.s0142_files import s0142_records, write

UNIT_RECORDS = {"MEL", "MIL", "RUE", "RUI", "RDE", "RDI", "BO4", "BO3", "BO6", "BO7"}


def layout_trailer(records: list[str]) -> str:
    """ZZZ as S0142_LAYOUT.md §5 defines it, derived here apart from the code under test: the
    count of every record with AAA and ZZZ, and the XOR of each record's big-endian 4-byte
    groups (trailing '|' included, NUL-padded)."""
    checksum = 0
    for record in records:
        data = record.encode("ascii")
        data += b"\0" * (-len(data) % 4)
        for (group,) in struct.iter_unpack(">I", data):
            checksum ^= group
    return f"ZZZ|{len(records) + 1}|{checksum}|"


def _read(tmp_path, records: list[str], **options):
    return read_s0142(write(tmp_path / "S0142.txt", [*records, layout_trailer(records)], **options))


def _without(codes: set[str], records: list[str] | None = None) -> list[str]:
    return [r for r in (records or s0142_records()) if r[:3] not in codes]


def test_a_file_whose_parties_have_no_bm_units(tmp_path):
    # BP7 is 0-* under SP7; the BM unit records then all sit under the system block's BPI
    content = _read(tmp_path, _without({"APD", "APB", "BP7", "MVR"}))
    assert len(content.table("BP7")) == 0 and len(content.table("APD")) == 0
    mel = content.table("MEL")
    assert mel.parent_code.tolist() == ["BPI"] and mel.parent.tolist() == [0]


def test_a_file_without_parties(tmp_path):
    # BPH is 0-* under the file
    records = [
        r
        for r in s0142_records()
        if not r.startswith(("BPH", "APC"))
        and r[:3] in {"AAA", "SRH", "SPI", "MD1", "DB1", "TRA", "BPI", *UNIT_RECORDS}
    ]
    content = _read(tmp_path, records)
    assert len(content.table("BPH")) == 0 and len(content.table("SPI")) == 48


def test_bm_unit_records_under_bp7_with_no_bpi_in_the_file(tmp_path):
    # MEL … BO7 may sit under BPI or BP7 (S0142_LAYOUT.md §1); BPI is 0-*
    moved = [r for r in s0142_records() if r[:3] in UNIT_RECORDS]
    records = []
    for record in _without({"BPI", *UNIT_RECORDS}):
        records.append(record)
        if record.startswith("BP7|T_GEN-1|"):
            records += moved
    content = _read(tmp_path, records)
    assert len(content.table("BPI")) == 0
    assert set(content.table("BO4").parent_code.tolist()) == {"BP7"}
    assert len(content.table("BO4")) == 48


def test_a_v014_record_without_a_field_the_layout_infers_says_the_rule_is_inferred(tmp_path):
    # S0142014 PPC position 11 (N0677) is inferred by analogy with S0141014 (§1 version note)
    records = [r[:-1] if r.startswith("PPC|") else r for r in s0142_records(version="014")]
    with pytest.raises(LayoutError) as caught:
        _read(tmp_path, records)
    message = str(caught.value)
    assert message.startswith("S0142.txt line 305: record PPC has 10 fields where layout ")
    assert "differ from position 11" in message and message.endswith("marked inferred)")


def _set(records: list[str], code: str, position: int, value: str) -> list[str]:
    """Every `code` record with field `position` (1-based after the type) set to `value`."""
    out = []
    for record in records:
        if record.startswith(code + "|"):
            fields = record.split("|")
            fields[position] = value
            record = "|".join(fields)
        out.append(record)
    return out


@pytest.mark.parametrize("run_type", ["II", "SF", "R1", "R2", "R3", "RF", "DF"])
def test_every_run_type(tmp_path, run_type):
    records = _set(_set(s0142_records(), "SRH", 2, run_type), "BPH", 2, run_type)
    content = _read(tmp_path, records)
    assert content.first("SRH")["run_type"] == run_type


@pytest.mark.parametrize(
    ("code", "position", "text", "value"),
    [
        ("BP7", 8, "-0.001", -0.001),  # fewer decimals than the type's, negative
        ("BP7", 11, "-0.0000001", -1e-7),  # a negative TLF at all 7 decimals
        ("BP7", 8, "9999999.999", 9999999.999),  # the largest decimal(10,3)
        ("BP7", 13, "Cory  ton Unit", "Cory  ton Unit"),  # spaces inside text
        ("BP7", 16, "12.5", 12.5),  # optional fields our writer leaves empty
        ("BP7", 20, "1", 1.0),
        ("BP7", 21, "T", 1.0),
        ("BP7", 25, "-1234.56", -1234.56),
        ("BO3", 1, "", None),  # no acceptance number (an RR schedule)
        ("BO4", 1, "-1", -1),
        ("BO4", 2, "-99999", -99999.0),
        ("BO6", 1, "-120", -120),
        ("BO6", 2, "", None),
        ("DB1", 2, "", None),  # an unpriced BSAD action
        ("DB2", 10, "E.ON UK plc (Ratcliffe) & Co.", "E.ON UK plc (Ratcliffe) & Co."),
        ("SPI", 42, "0.000012345", 0.000012345),
        ("SPI", 43, "12345678.1234567", 12345678.1234567),
        ("MD1", 3, "", None),
    ],
)
def test_values_the_idd_types_allow(tmp_path, code, position, text, value):
    table = _read(tmp_path, _set(s0142_records(), code, position, text)).table(code)
    key = next(f.key for f in S0142_RECORDS[code].fields if f.position == position)
    read = table.columns[key][0]
    if value is None:
        assert read == "" or read != read  # empty text, or NaN
    else:
        assert read == value


@pytest.mark.parametrize(
    ("code", "position", "text", "reason"),
    [
        ("SRH", 2, "r3", "not in the valid set II, SF, R1, R2, R3, RF, DF"),
        ("BP7", 8, "-0", "zero is never signed"),
        ("BP7", 8, "99.50", "a leading or trailing zero"),
        ("BP7", 8, "09.5", "a leading or trailing zero"),
        ("BP7", 8, "99.5001", "more than 3 decimals"),
        ("BP7", 8, "+5", "a character other than a digit"),
        ("BP7", 8, "1e3", "a character other than a digit"),
        ("BP7", 13, " Coryton", "leading or trailing space"),
        ("BP7", 13, "Coryton ", "leading or trailing space"),
        ("BO3", 3, "f", "not a boolean: expected T or F"),
        ("APD", 1, "p", "not in the valid set P, C"),
    ],
)
def test_values_the_idd_types_refuse_name_file_line_record_and_position(
    tmp_path, code, position, text, reason
):
    records = _set(s0142_records(), code, position, text)
    line = next(n for n, r in enumerate(records, start=1) if r.startswith(code + "|"))
    with pytest.raises(FieldValueError) as caught:
        _read(tmp_path, records)
    message = str(caught.value)
    assert message.startswith(f"S0142.txt line {line}: {code} position {position} (")
    assert f"{text!r} " in message and reason in message


def test_repeating_records_many_times_and_optional_groups_in_any_number(tmp_path):
    records = []
    for record in s0142_records():
        records.append(record)
        if record.startswith("DB1|"):
            records += [f"DB1|{i}|{record[6:]}" for i in range(2, 6)]
        if record.startswith(("BO6|", "BO7|")):
            records += [record] * 3
        if record.startswith("APB|T_GEN-1|"):  # both accounts, several units each
            records += [
                "APB|T_GEN-2|1|0|100|",
                "APD|C|0|12.25|0|-3.5|10|0|14.75|-4.25|0.00017|0|0|0|0|",
                "APB|2__X|1|0|100|",
                "APB|2__Y|1|0|100|",
            ]
    content = _read(tmp_path, records)
    assert len(content.table("DB1")) == 5 and len(content.table("BO6")) == 4
    apd = content.table("APD")
    assert len(apd) == 96 + 48 and len(content.table("APB")) == 96 + 48 * 3
    assert content.table("APB").rows_under("APD", 1).tolist() == [2, 3]


def test_a_third_apd_under_one_sp7_is_refused(tmp_path):
    records = []
    for record in s0142_records():
        records.append(record)
        if record.startswith("APB|T_GEN-1|"):
            records += ["APD|C|0|1|0|1|1|0|1|1|0.1|0|0|0|0|"] * 2
    with pytest.raises(LayoutError, match=r"line 313: record APD is one too many: SP7 at line 304"):
        _read(tmp_path, records)


@pytest.mark.parametrize(
    ("header", "flag", "role"),
    [
        ("AAA|S0142013|D|20260922224432|SA|UKDC|PB|PORTAL|41697|", "OPER", "D"),
        ("AAA|S0142013|D|20260922224432|SA|UKDC|PB|PORTAL|41697|TR01|", "TR01", "D"),
        ("AAA|S0142013|R|20260101000000|SA|UKDC|PB|PORTAL|0|OPER|", "OPER", "R"),
    ],
)
def test_header_variants(tmp_path, header, flag, role):
    content = _read(tmp_path, [header, *s0142_records()[1:]])
    assert (content.header.test_flag, content.header.message_role) == (flag, role)


def test_no_final_line_end(tmp_path):
    records = s0142_records()
    path = tmp_path / "S0142.txt"
    path.write_bytes("\n".join([*records, layout_trailer(records)]).encode("ascii"))
    assert read_s0142(path).records == 1124


def test_the_trailer_derived_from_the_layout_is_the_one_the_reader_checks(tmp_path):
    records = s0142_records()
    trailer = layout_trailer(records)
    assert _read(tmp_path, records).records == int(trailer.split("|")[1]) == 1124
    count, checksum = trailer.split("|")[1:3]
    for bad in (f"ZZZ|{count}|{int(checksum) ^ 1}|", f"ZZZ|{int(count) - 1}|{checksum}|"):
        path = write(tmp_path / "bad.txt", [*records, bad])
        with pytest.raises(FramingError, match=r"bad\.txt line 1124: ZZZ"):
            read_s0142(path)
