"""`import` of S0142 and C0421 files (models/imports/p114_import.py): one new run, its inputs in
the ordinary tables, the SAA's figures apart; all or nothing."""

import gzip

import numpy as np
import pytest
from sqlalchemy import func, select

from models.db.database import SettlementDatabase
from models.db.schema import MeteredVolumeEstimate, SettlementRun
from models.imports.loader import import_files
from models.imports.p114_import import p114_file_flow
from models.imports.report import ImportRejected
from models.p114.from_settlement import ReportRun
from models.p114.s0142_reader import read_s0142
from models.p114.writer import trailer_for
from models.published.saa_store import read_saa, read_saa_report
from models.runs.inputs import load_settlement_inputs
from tests.models.p114.s0142_files import framed, s0142_records, write


@pytest.fixture(scope="module")
def made(tmp_path_factory, settled_s0142):
    folder = tmp_path_factory.mktemp("p114import")
    report_run = ReportRun("R2", saa_run_number=5, cdca_run_number=3)
    return settled_s0142(folder, 7, "S0142_20240612_R2.gz", report_run)[:3]


def _runs(db) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(SettlementRun.__table__)).scalar()


def test_recognised_by_its_first_bytes_gzip_or_plain_with_a_bom(made, tmp_path):
    s0142 = made[1]
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"\xef\xbb\xbf" + gzip.decompress(s0142.read_bytes()))
    assert p114_file_flow(s0142) == "S0142"
    assert p114_file_flow(plain) == "S0142"
    other = tmp_path / "prices.csv"
    other.write_text("settlementDate,settlementPeriod\n")
    assert p114_file_flow(other) is None


def test_an_s0142_becomes_a_run_of_its_srh_run_type(db, made):
    _, s0142, result = made
    summary = import_files(db, [s0142])
    (part,) = summary.dates
    assert part.run_label == "2024-06-12 R2"
    with db.engine.connect() as conn:
        report = read_saa_report(conn, part.run_id)
        saa = read_saa(conn, part.run_id)
        inputs = load_settlement_inputs(conn, part.run_id)
    content = read_s0142(s0142)
    assert report["flow"] == "S0142" and report["version"] == "013"
    assert (report["run_type"], report["saa_run_number"], report["saa_cdca_run_number"]) == (
        "R2",
        5,
        3,
    )
    assert report["record_count"] == content.records == summary.records["S0142"]
    # the run's metered volumes are the BP7 QM, at the IDD's 3 decimals
    np.testing.assert_array_equal(inputs.metered, np.round(result.inputs.metered, 3))
    np.testing.assert_allclose(inputs.units.tlf, result.inputs.units.tlf, atol=5e-8)
    # the SAA's figures: 26 parties × 48 periods of PPC, one APD per account and period
    parties = len(result.inputs.parties)
    assert len(saa["saa_party_period"]["cbm"]) == parties * 48
    assert len(saa["saa_account_period"]["caei"]) == 2 * parties * 48
    np.testing.assert_array_equal(saa["saa_system_period"]["ssp"], np.round(result.prices.ssp, 5))
    expected = np.sort(np.round(result.inputs.metered, 3).ravel())
    np.testing.assert_array_equal(np.sort(saa["saa_bm_unit_period"]["qm"]), expected)


def test_a_date_without_bm_data_becomes_a_run_without_it_and_says_so(made, tmp_path):
    # no register and no APB records (our writer writes none): every unit's P/C status comes
    # from its metered volume, with a warning each, after the one that BM data is missing
    result = made[2]
    with SettlementDatabase.create(tmp_path / "empty.sqlite") as db:
        (part,) = import_files(db, [made[1]]).dates
        with db.engine.connect() as conn:
            inputs = load_settlement_inputs(conn, part.run_id)
        assert (part.run_label, part.base_run_id) == ("2024-06-12 R2", None)
        assert part.warnings == 1 + len(result.inputs.bm.bm_units)
        assert sorted(inputs.bm.bm_units) == sorted(result.inputs.bm.bm_units)
        assert len(inputs.bm.pairs.pair) == 0
        assert _runs(db) == 1


def test_a_bad_checksum_is_refused_naming_both_values(db, made, tmp_path):
    lines = gzip.decompress(made[1].read_bytes()).decode().splitlines()
    count, checksum = lines[-1].split("|")[1:3]
    lines[-1] = f"ZZZ|{count}|{int(checksum) ^ 1}|"
    bad = tmp_path / "bad.s0142"
    bad.write_text("\n".join(lines) + "\n")
    before = _runs(db)
    with pytest.raises(ImportRejected) as caught:
        import_files(db, [bad])
    text = caught.value.report.text()
    assert "bad.s0142" in text and str(int(checksum) ^ 1) in text and checksum in text
    assert _runs(db) == before


def test_a_c0421_replaces_metered_volumes_and_flags_estimates(db, made, tmp_path):
    result = made[2]
    units = list(result.inputs.bm.bm_units)[:2]
    records = ["AAA|C0421002|D|20240614075556|CD|UKDC|PB|PORTAL|1|OPER|"]
    for unit in units:
        records.append(f"ABV|{unit}|20240612|SF|2|20240613|")
        for j in range(1, 49):
            records.append(f"ABP|{j}|{'T' if j == 7 else 'F'}|{j}.125|I|")
    path = tmp_path / "C0421.txt"
    path.write_text("\n".join([*records, trailer_for(records)]) + "\n")
    (part,) = import_files(db, [path]).dates
    with db.engine.connect() as conn:
        inputs = load_settlement_inputs(conn, part.run_id)
        flagged = conn.execute(
            select(MeteredVolumeEstimate.bm_unit_id, MeteredVolumeEstimate.period).where(
                MeteredVolumeEstimate.run_id == part.run_id
            )
        ).all()
    assert part.run_label == "2024-06-12 SF"
    u = list(inputs.bm.bm_units).index(units[0])
    # import is negative (the rulebook's sign): period 3 of the first unit is -3.125 MWh
    assert inputs.metered[u, 2] == -3.125
    other = list(inputs.bm.bm_units).index(list(result.inputs.bm.bm_units)[5])
    np.testing.assert_array_equal(inputs.metered[other], result.inputs.metered[other])
    assert sorted(flagged) == sorted((unit, 7) for unit in units)


def test_a_file_the_header_marks_as_test_data_is_imported_with_a_warning(tmp_path):
    # S0142_LAYOUT.md §5: a Test Data Flag other than OPER marks test data
    records = s0142_records()
    records[0] = records[0].replace("|OPER|", "|TR01|")
    path = write(tmp_path / "test.s0142", framed(records))
    with SettlementDatabase.create(tmp_path / "empty.sqlite") as db:
        summary = import_files(db, [path])
        assert summary.dates[0].warnings == 2  # and that the date has no BM data
        assert str(summary.warnings[0]).startswith(
            "test.s0142, line 1: AAA test_data_flag = TR01: the AAA header marks the file as "
            "test data"
        )
        with pytest.raises(ImportRejected):  # --strict refuses it
            import_files(db, [path], strict=True)
