"""IDD framing: the checksum, the header, the trailer (S0142_LAYOUT.md §5)."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.p114.errors import ChecksumError, FramingError, RecordCountError, TruncatedFileError
from models.p114.framing import FlatFile, record_checksum, xor_checksum

# the consus docstring example: three records whose checksum is 829768304
CONSUS = [
    b"AAA|E0041001|D|20260810093000|EN|CONSUSEN|EC|ECVAA|1|TEST1|",
    b"EDN|ECVNAA0001|KEY0000001|ECVNAA0001|REF0000001|20260811||",
    b"CD9|1|12.5|",
]


def test_checksum_of_the_published_example():
    assert xor_checksum(b"\n".join(CONSUS)) == 829768304
    assert (
        record_checksum(CONSUS[0]) ^ record_checksum(CONSUS[1]) ^ record_checksum(CONSUS[2])
        == 829768304
    )


def test_checksum_by_hand():
    # "AB|" pads to 41 42 7C 00; "CDEFG|" to 43444546 477C0000
    assert record_checksum(b"AB|") == 0x41427C00
    assert xor_checksum(b"AB|\nCDEFG|") == 0x41427C00 ^ 0x43444546 ^ 0x477C0000
    # a duplicated record cancels out, which is why the count is checked too
    assert xor_checksum(b"AB|\nAB|") == 0


records = st.lists(
    st.binary(min_size=1, max_size=40).map(lambda b: b.replace(b"\n", b"x")), max_size=30
)


@given(records)
def test_vectorised_checksum_equals_the_record_by_record_one(lines):
    expected = 0
    for line in lines:
        expected ^= record_checksum(line)
    assert xor_checksum(b"\n".join(lines)) == expected


FLOWS = {"S0142": ("013",)}


def _file(tmp_path: Path, text: bytes) -> Path:
    path = tmp_path / "f.txt"
    path.write_bytes(text)
    return path


def _lines(records: list[bytes]) -> bytes:
    checksum = 0
    for r in records:
        checksum ^= record_checksum(r)
    return b"\n".join([*records, f"ZZZ|{len(records) + 1}|{checksum}|".encode()]) + b"\n"


HEADER = b"AAA|S0142013|D|20260922224432|SA|UKDC|PB|PORTAL|41697|OPER|"


def _body(path: Path) -> tuple[FlatFile, list]:
    flat = FlatFile(path, FLOWS)
    return flat, list(flat.chunks())


def test_header_fields(tmp_path):
    flat, chunks = _body(_file(tmp_path, _lines([HEADER, b"SRH|x|"])))
    header = flat.header
    assert (header.flow, header.version, header.from_role, header.to_participant) == (
        "S0142",
        "013",
        "SA",
        "PORTAL",
    )
    assert header.sequence == 41697 and header.test_flag == "OPER"
    assert header.created.isoformat() == "2026-09-22T22:44:32"
    assert chunks == [(2, b"SRH|x|")]
    assert flat.trailer == (3, record_checksum(HEADER) ^ record_checksum(b"SRH|x|"))
    assert header.record().encode() == HEADER


def test_test_data_flag_may_be_omitted(tmp_path):
    header = HEADER.replace(b"|OPER|", b"|")
    flat, _ = _body(_file(tmp_path, _lines([header])))
    assert flat.header.test_flag == "OPER"


def test_bad_checksum_names_expected_and_found(tmp_path):
    good = _lines([HEADER, b"SRH|x|"])
    true = record_checksum(HEADER) ^ record_checksum(b"SRH|x|")
    bad = good.replace(f"|{true}|".encode(), b"|12345|")
    with pytest.raises(ChecksumError, match=f"ZZZ checksum is 12345, but the records give {true}"):
        _body(_file(tmp_path, bad))


def test_bad_record_count(tmp_path):
    bad = _lines([HEADER, b"SRH|x|"]).replace(b"ZZZ|3|", b"ZZZ|4|")
    with pytest.raises(RecordCountError, match="record count is 4, but the file holds 3"):
        _body(_file(tmp_path, bad))


def test_missing_trailer_is_truncation(tmp_path):
    with pytest.raises(
        TruncatedFileError, match=r"ends at line 2 \(a SRH record\) without the ZZZ"
    ):
        _body(_file(tmp_path, HEADER + b"\nSRH|x|\n"))


def test_other_flow_or_version_refused(tmp_path):
    with pytest.raises(FramingError, match=r"File Type\) is 'S0142099'"):
        FlatFile(_file(tmp_path, _lines([HEADER.replace(b"013", b"099")])), FLOWS)
    with pytest.raises(FramingError, match="expected the AAA header"):
        FlatFile(_file(tmp_path, b"HDR,foo\n"), FLOWS)
    with pytest.raises(FramingError, match="empty"):
        FlatFile(_file(tmp_path, b""), FLOWS)


def test_bare_carriage_return_refused(tmp_path):
    with pytest.raises(FramingError, match="line 2: a carriage return inside a record"):
        _body(_file(tmp_path, _lines([HEADER, b"SRH|x\ry|"])))


def test_crlf_file_without_a_final_line_end(tmp_path):
    text = _lines([HEADER, b"SRH|x|"]).replace(b"\n", b"\r\n").rstrip(b"\r\n")
    flat, chunks = _body(_file(tmp_path, text))
    assert chunks == [(2, b"SRH|x|")] and flat.trailer[0] == 3


def test_blank_lines_after_the_trailer_are_allowed_but_not_before(tmp_path):
    good = _lines([HEADER, b"SRH|x|"])
    _body(_file(tmp_path, good + b"\n\n"))
    flat = FlatFile(_file(tmp_path, good.replace(b"SRH|x|\n", b"SRH|x|\n\n")), FLOWS)
    # the blank line reaches the record tree, which refuses it before the trailer is checked
    assert next(flat.chunks()) == (2, b"SRH|x|\n")


def test_an_empty_test_data_flag_is_operational_as_an_omitted_one(tmp_path):
    # an absent optional field is the empty string (IDD §2.2.3)
    flat, _ = _body(_file(tmp_path, _lines([HEADER.replace(b"|OPER|", b"||")])))
    assert flat.header.test_flag == "OPER"


@pytest.mark.parametrize("created", [b"2026092222443", b"202609222244320", b"2026092222443 "])
def test_creation_time_has_exactly_fourteen_digits(tmp_path, created):
    header = HEADER.replace(b"20260922224432", created)
    with pytest.raises(FramingError, match=r"f\.txt line 1: AAA position 3 \(N0058 Creation Time"):
        _body(_file(tmp_path, _lines([header])))


def test_a_bom_is_tolerated_whether_or_not_the_sender_checksummed_it(tmp_path):
    # S0142_LAYOUT.md §5: a reader should tolerate a BOM; whether the checksum saw it is not
    # known, so a file is accepted with either checksum, and refused with any other
    records = [HEADER, b"SRH|x|"]
    without = record_checksum(HEADER) ^ record_checksum(b"SRH|x|")
    with_bom = record_checksum(b"\xef\xbb\xbf" + HEADER) ^ record_checksum(b"SRH|x|")
    for checksum in (without, with_bom):
        text = b"\xef\xbb\xbf" + b"\n".join([*records, b"ZZZ|3|%d|" % checksum]) + b"\n"
        flat, body = _body(_file(tmp_path, text))
        assert flat.trailer == (3, checksum) and body == [(2, b"SRH|x|")]
    text = b"\xef\xbb\xbf" + b"\n".join([*records, b"ZZZ|3|%d|" % (with_bom ^ 1)]) + b"\n"
    with pytest.raises(ChecksumError, match=f"checksum is {with_bom ^ 1}, but the records give"):
        _body(_file(tmp_path, text))
    # without a BOM in the file, the checksum with one is wrong
    with pytest.raises(ChecksumError):
        _body(_file(tmp_path, b"\n".join([*records, b"ZZZ|3|%d|" % with_bom]) + b"\n"))
