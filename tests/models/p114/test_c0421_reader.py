"""Reading hand-built C0421 files (S0142_LAYOUT.md §6)."""

from datetime import date

import pytest

from models.p114.c0421_reader import read_c0421, signed_volumes
from models.p114.errors import ChecksumError, FieldValueError, FramingError, LayoutError
from tests.models.p114.s0142_files import c0421_records, framed, write


def test_units_periods_and_signs(tmp_path):
    content = read_c0421(write(tmp_path / "C0421.txt", framed(c0421_records()), crlf=True))
    abv = content.table("ABV").columns
    assert abv["bm_unit_id"].tolist() == ["T_GANW-11", "I_IEG-FRAN1"]
    assert content.first("ABV") == {
        "bm_unit_id": "T_GANW-11",
        "settlement_date": date(2019, 3, 24),
        "run_type": "II",
        "cdca_run_number": 1,
        "aggregation_date": date(2019, 3, 26),
    }
    volumes = signed_volumes(content)
    assert len(volumes["qm"]) == 96
    # export is positive, import negative; period 31 of T_GANW-11 is the estimated 17.461
    assert volumes["qm"][30] == 17.461 and volumes["estimate"][30]
    assert volumes["qm"][0] == 1.0 and not volumes["estimate"][0]
    assert volumes["qm"][48] == -1.0 and volumes["bm_unit_id"][48] == "I_IEG-FRAN1"
    assert int(volumes["estimate"].sum()) == 1
    assert volumes["period"][[0, 47, 48]].tolist() == [1, 48, 1]


def test_period_count_of_the_date(tmp_path):
    with pytest.raises(
        LayoutError, match="ABV at line 2 has 47 ABP records, but settlement date 2019-03-24 has 48"
    ):
        read_c0421(write(tmp_path / "f.txt", framed(c0421_records(47))))


def test_negative_volume_refused(tmp_path):
    records = c0421_records()
    records[2] = "ABP|1|F|-1|E|"
    with pytest.raises(
        FieldValueError, match=r"line 3: ABP position 3 \(Meter Volume\): -1.0 is negative"
    ):
        read_c0421(write(tmp_path / "f.txt", framed(records)))


def test_bad_flag_and_checksum(tmp_path):
    records = c0421_records()
    records[2] = "ABP|1|F|1|X|"
    with pytest.raises(
        FieldValueError,
        match=r"line 3: ABP position 4 \(Import/Export Indicator, char I/E\): 'X' not in the valid",
    ):
        read_c0421(write(tmp_path / "f.txt", framed(records)))
    lines = framed(c0421_records())
    lines[5] = "ABP|4|F|4.5|E|"
    with pytest.raises(ChecksumError):
        read_c0421(write(tmp_path / "f.txt", lines))


def test_s0142_is_not_c0421(tmp_path):
    lines = framed(c0421_records())
    lines[0] = lines[0].replace("C0421002", "S0142013")
    with pytest.raises(FramingError, match="this reader reads C0421002"):
        read_c0421(write(tmp_path / "f.txt", lines))
