"""Invariants of writing and reading S0142 files, over random shapes (hypothesis)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.p114.errors import P114Error, TruncatedFileError
from models.p114.framing import record_checksum
from models.p114.layout import S0142_RECORDS
from models.p114.s0142_reader import read_s0142
from models.p114.synthetic import SyntheticSpec, synthetic_s0142
from models.p114.writer import write_flat_file
from tests.models.p114.s0142_files import framed, s0142_records, write

shapes = st.builds(
    SyntheticSpec,
    parties=st.integers(1, 4),
    bm_units=st.integers(1, 12),
    seed=st.integers(0, 10_000),
    limit_units=st.integers(0, 3),
    rate_units=st.integers(0, 3),
    offer_units=st.integers(0, 3),
    bsad_per_period=st.floats(0, 3),
    trading_units=st.integers(1, 3),
    version=st.sampled_from(["013", "014"]),
)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(shapes)
def test_write_read_write_is_byte_identical(tmp_path, spec):
    fields_of = lambda code: S0142_RECORDS[code].fields_of(spec.version)  # noqa: E731
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    count, checksum = write_flat_file(first, synthetic_s0142(spec), fields_of)
    content = read_s0142(first)
    assert content.records == count and content.version == spec.version
    assert write_flat_file(second, content, fields_of) == (count, checksum)
    assert second.read_bytes() == first.read_bytes()
    # every record's parent is an earlier line of a parent type
    for table in content.tables.values():
        for code in set(table.parent_code.tolist()) - {"ROOT"}:
            rows = table.parent_code == code
            assert (content.table(code).line[table.parent[rows]] < table.line[rows]).all()


LINES = framed(s0142_records())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(1, len(LINES) - 1))
def test_a_file_cut_at_any_line_is_refused_as_truncated(tmp_path, keep):
    with pytest.raises(TruncatedFileError):
        read_s0142(write(tmp_path / "cut.txt", LINES[:keep]))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(1, len(LINES) - 2), st.integers(0, 200), st.integers(1, 255))
def test_any_changed_byte_is_refused(tmp_path, line, offset, flip):
    """A changed byte fails the checksum, or a check before it; never a silent read."""
    lines = list(LINES)
    data = bytearray(lines[line].encode())
    position = offset % len(data)
    data[position] ^= flip
    if data[position] in (10, 13):
        data[position] = ord("x")
    if bytes(data) == lines[line].encode():
        return
    lines[line] = bytes(data).decode("latin-1")
    path = tmp_path / "changed.txt"
    path.write_bytes("\n".join(lines).encode("latin-1") + b"\n")
    changed = record_checksum(bytes(data)) != record_checksum(LINES[line].encode())
    try:
        read_s0142(path)
    except P114Error:
        return
    assert not changed, "a changed record was read without complaint"


def test_round_trip_keeps_absent_values_absent(tmp_path):
    content = read_s0142(write(tmp_path / "f.txt", LINES))
    spi = content.table("SPI").columns
    assert np.isnan(spi["replacement_price"]).all()
    assert (spi["field_10"] == "").all()
