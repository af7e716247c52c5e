"""Reading data files within the limits of models.core.limits (issue 16): a decompression bomb is
stopped early, a file of too many records is refused whole, a header-only file holds nothing."""

from __future__ import annotations

import gzip

import pytest

from models.core import limits
from models.imports.formats import read_bytes, read_file
from models.imports.report import ImportReport
from tests.paths import elexon


def _reasons(path) -> list[str]:
    report = ImportReport()
    batches = read_file(path, report)
    return [] if batches else [r.reason for r in report.rejections]


def test_a_gzip_bomb_is_refused_after_reading_a_bounded_part(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "GZIP_RATIO_CHECKED_FROM", 4_000_000)
    path = tmp_path / "bomb.json.gz"
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(b'{"data": [')
        for _ in range(16):  # 256 MB of spaces in about 250 kB of gzip
            handle.write(b" " * (1 << 24))
        handle.write(b"]}")
    (reason,) = _reasons(path)
    assert reason.startswith("the gzip file expands more than 200 times (")
    assert reason.endswith("); not an Elexon data file")
    read = int(reason.split("(")[1].split(" bytes")[0].replace(",", ""))
    assert read < path.stat().st_size  # stopped before the end of the compressed file


def test_a_file_beyond_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1_000)
    path = tmp_path / "big.csv"
    path.write_text("x" * 1_001)
    assert _reasons(path) == [
        "the file holds 1,001 bytes; at most 1,000 are read from one file (split it, e.g. by "
        "settlement date)"
    ]
    packed = tmp_path / "big.csv.gz"
    packed.write_bytes(gzip.compress(b"x" * 2_000))
    assert _reasons(packed)[0].startswith("the file expands to more than 1,000 bytes")


def test_real_gzip_files_stay_far_inside_the_limits():
    path = elexon("bsad/disbsad_2023_2025.csv.gz")  # 3.6 MB expanding 11 times to 40 MB
    assert len(read_bytes(path)) == 39_906_247 == len(gzip.decompress(path.read_bytes()))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("many.json", '{"data": [' + ",".join(['{"dataset": "PN"}'] * 6) + "]}"),
        ("many.csv", "settlementDate,settlementPeriod\n" + "2024-06-12,1\n" * 6),
    ],
)
def test_a_file_of_too_many_records_is_refused_whole(tmp_path, monkeypatch, name, text):
    monkeypatch.setattr(limits, "MAX_RECORDS_PER_FILE", 5)
    path = tmp_path / name
    path.write_text(text)
    assert _reasons(path) == [
        "the file holds 6 records; at most 5 are imported from one file (split it, e.g. by "
        "settlement date)"
    ]


def test_a_header_only_csv_holds_no_records(tmp_path):
    header = gzip.decompress(elexon("bsad/disbsad_2023_2025.csv.gz").read_bytes()).split(b"\n")[0]
    path = tmp_path / "header.csv"
    path.write_bytes(header + b"\n")
    assert _reasons(path) == ["the file holds no records"]


def test_a_folder_is_said_to_be_a_folder(tmp_path):
    assert _reasons(tmp_path) == ["is a folder, not a data file"]


def test_a_device_without_a_size_is_read_within_the_limit(monkeypatch):
    from pathlib import Path

    zero = Path("/dev/zero")
    if not zero.exists():
        pytest.skip("no /dev/zero")
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1_000_000)
    assert _reasons(zero) == [
        "the file holds more than 1,000,000 bytes; at most that much is read from one file "
        "(split it, e.g. by settlement date)"
    ]


def test_a_csv_field_beyond_the_csv_modules_limit_is_a_rejection(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text('settlementDate,name\n2024-06-12,"' + "N" * 200_000 + '"\n')
    assert _reasons(path) == ["not readable as CSV: field larger than field limit (131072)"]


def test_json_records_become_columns_with_null_where_a_record_lacks_a_key():
    from models.imports.formats import read_text

    full = '{"dataset": "MELS", "bmUnit": "T_A-1", "levelFrom": 5, "levelTo": 6}'
    short = '{"dataset": "MELS", "bmUnit": "T_B-1", "levelFrom": 7}'
    for records, expected in (
        (f"[{full}, {full}]", {"levelto": [6, 6], "bmunit": ["T_A-1", "T_A-1"]}),
        (f"[{full}, {short}]", {"levelto": [6, None], "bmunit": ["T_A-1", "T_B-1"]}),
        (f"[{short}, 3, {full}]", {"levelto": [None, 6], "bmunit": ["T_B-1", "T_A-1"]}),
    ):
        report = ImportReport()
        (batch,) = read_text(records, "f.json", report)
        assert {k: batch.columns[k] for k in expected} == expected
        assert batch.columns["levelfrom"][0] in (5, 7)


HUGE = "1" + "0" * 30  # 31 digits: beyond MAX_INTEGER_DIGITS
MELS = '{{"dataset": "MELS", "bmUnit": "T_A-1", "levelFrom": {}, "levelTo": 6}}'


@pytest.mark.parametrize(
    "records",
    [
        [MELS.format(5), MELS.format(HUGE)],
        [MELS.format(5.5), MELS.format("-" + HUGE)],
        [MELS.format("null"), MELS.format("9" * 5000)],  # beyond int()'s 4,300 digits
        [MELS.format("NaN"), MELS.format(HUGE), MELS.format("Infinity")],
        [MELS.format("[" + HUGE + "]"), MELS.format(1)],  # a list value
        [MELS.format(1), HUGE],  # not a record
        [MELS.format(1), MELS.format("9" * 30), MELS.format("-" + "9" * 30)],  # 30 digits
    ],
)
def test_json_parsed_plainly_first_reads_as_the_validating_parse(records):
    from models.casefiles.validate import HugeInteger
    from models.imports.formats import _read_json, read_text

    text = '{"data": [' + ", ".join(records) + "]}"
    plain, validating = ImportReport(), ImportReport()
    got = read_text(text, "f.json", plain)
    expected = _read_json(text, "f.json", validating, validating=True)
    assert [b.columns for b in got] == [b.columns for b in expected]
    assert plain.rejections == validating.rejections
    values = [v for b in got for v in b.columns["levelfrom"]]
    huge = [v for v in values if isinstance(v, HugeInteger)]
    in_records = [r for r in records if r.startswith("{") and "[" not in r]
    assert len(huge) == sum(HUGE in r or "9" * 5000 in r for r in in_records)
    assert all(type(v) is int for v in values if isinstance(v, int) and "9" * 30 in str(v))


def test_json_nested_too_deep_is_refused_as_before():
    text = "[" * 100_000 + "]" * 100_000
    report = ImportReport()
    from models.imports.formats import read_text

    assert read_text(text, "deep.json", report) == []
    assert "nested too deeply" in report.rejections[0].reason


@pytest.mark.parametrize("metadata", ["5", '"x"', "[1]", "null", '{"datasets": 3}'])
def test_a_metadata_that_is_not_an_object_is_no_hint_and_no_crash(metadata):
    from models.imports.formats import read_text

    text = '{"data": [{"bmUnit": "T_A-1", "levelFrom": 5, "levelTo": 6, "timeFrom": "x"}], '
    report, unnamed = ImportReport(), ImportReport()
    batches = read_text(text + f'"metadata": {metadata}}}', "f.json", report)
    named = read_text(text + '"metadata": {"datasets": ["MELS"]}}', "f.json", ImportReport())
    assert [b.dataset.name for b in named] == ["MELS"]
    # No hint: as a file without metadata (the dataset told from the fields, or rejected).
    without = read_text(text[:-2] + "}", "f.json", unnamed)
    assert [(b.dataset, b.columns) for b in batches] == [(b.dataset, b.columns) for b in without]
    assert report.rejections == unnamed.rejections
