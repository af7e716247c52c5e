"""Writing S0142 files: the writer and the reader agree value for value (round trip)."""

import numpy as np
import pytest

from models.p114.layout import S0142_RECORDS
from models.p114.s0142_reader import read_s0142
from models.p114.synthetic import SyntheticSpec, synthetic_s0142, write_synthetic_s0142
from models.p114.writer import write_flat_file
from tests.models.p114.s0142_files import framed, s0142_records, write

SMALL = SyntheticSpec(parties=7, bm_units=40, limit_units=6, rate_units=5, offer_units=8)


def _same(a, b):
    assert a.keys() == b.keys()
    for code in a:
        ta, tb = a[code], b[code]
        np.testing.assert_array_equal(ta.line, tb.line, err_msg=code)
        np.testing.assert_array_equal(ta.parent, tb.parent, err_msg=code)
        for key in ta.columns:
            np.testing.assert_array_equal(ta.columns[key], tb.columns[key], err_msg=f"{code} {key}")


@pytest.mark.parametrize("version", ["013", "014"])
def test_synthetic_round_trip(tmp_path, version):
    spec = SyntheticSpec(**{**SMALL.__dict__, "version": version})
    path = tmp_path / "s.gz"
    records = write_synthetic_s0142(path, spec)
    read = read_s0142(path)
    assert read.records == records
    built = synthetic_s0142(spec)
    # what was built, rounded to the IDD decimals by the writer, is what is read
    for code, table in built.tables.items():
        assert len(read.table(code)) == len(table), code
    bp7 = read.table("BP7").columns
    np.testing.assert_array_equal(bp7["qm"], np.round(built.table("BP7").columns["qm"], 3))
    np.testing.assert_array_equal(bp7["bm_unit_id"], built.table("BP7").columns["bm_unit_id"])


def test_read_write_read_is_identical(tmp_path):
    first = tmp_path / "a.txt"
    write(first, framed(s0142_records()))
    content = read_s0142(first)
    again = tmp_path / "b.txt"
    write_flat_file(again, content, lambda code: S0142_RECORDS[code].fields_of("013"))
    assert again.read_bytes() == first.read_bytes()
    _same(read_s0142(again).tables, content.tables)


@pytest.mark.parametrize("options", [{"crlf": True}, {"bom": True}])
def test_writer_options_read_back(tmp_path, options):
    content = synthetic_s0142(SMALL)
    path = tmp_path / "s.txt"
    write_flat_file(path, content, lambda code: S0142_RECORDS[code].fields_of("013"), **options)
    plain = tmp_path / "p.txt"
    write_flat_file(plain, content, lambda code: S0142_RECORDS[code].fields_of("013"))
    _same(read_s0142(path).tables, read_s0142(plain).tables)
