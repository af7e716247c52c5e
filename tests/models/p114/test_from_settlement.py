"""An engine settlement written as an S0142 and read back: every value the engine has, at the
IDD precision of its field, in the right party, period and BM unit."""

import numpy as np
import pytest

from engine.settle import settle_day
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.p114.from_settlement import NotWritableError, ReportRun, write_s0142
from models.p114.s0142_reader import read_s0142
from models.runs.inputs import load_settlement_inputs
from models.runs.run_store import list_runs


@pytest.fixture(scope="module")
def demo_inputs(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=30, seed=7))
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        run = next(r for r in list_runs(conn) if r.run_type == "SF")
        return load_settlement_inputs(conn, run.id)


@pytest.fixture(scope="module")
def settled(demo_inputs, tmp_path_factory):
    result = settle_day(demo_inputs)
    path = tmp_path_factory.mktemp("s0142") / "shadow.gz"
    count = write_s0142(path, result, ReportRun("SF", saa_run_number=3, cdca_run_number=2))
    content = read_s0142(path)
    assert content.records == count
    return result, content


def test_header_says_the_run(settled):
    result, content = settled
    srh = content.first("SRH")
    assert srh["settlement_date"] == result.inputs.bm.settlement_date
    assert (srh["run_type"], srh["saa_run_number"], srh["saa_cdca_run_number"]) == ("SF", 3, 2)
    assert content.table("BPH").columns["bsc_party_id"].tolist() == list(result.inputs.parties)


def test_bm_unit_period_values(settled):
    result, content = settled
    bp7, sp7, bph = content.table("BP7"), content.table("SP7"), content.table("BPH")
    units = list(result.inputs.bm.bm_units)
    u = np.array([units.index(x) for x in bp7.columns["bm_unit_id"]])
    j = sp7.columns["settlement_period"][bp7.parent] - 1
    assert len(u) == len(units) * 48
    c = bp7.columns
    np.testing.assert_array_equal(c["qm"], np.round(result.inputs.metered[u, j], 3))
    np.testing.assert_array_equal(c["qme"], np.round(result.non_delivery.qme[u, j], 3))
    np.testing.assert_array_equal(c["cnd"], np.round(result.non_delivery.cnd[u, j], 2))
    np.testing.assert_array_equal(c["tlm"], np.round(result.tlm[u, j], 7))
    # each BP7 sits under its lead party
    party = bph.columns["bsc_party_id"][sp7.parent[bp7.parent]]
    lead = np.array(result.inputs.parties)[result.inputs.units.lead_party[u]]
    np.testing.assert_array_equal(party, lead)


def test_party_account_and_system_values(settled):
    result, content = settled
    ppc = content.table("PPC").columns
    np.testing.assert_array_equal(ppc["cbm"], np.round(result.party_period_cbm.reshape(-1), 2))
    np.testing.assert_array_equal(ppc["cnd"], np.round(result.party_period_cnd.reshape(-1), 2))
    apc = content.table("APC").columns
    np.testing.assert_array_equal(apc["rcrc"], np.round(result.parties.rcrc, 2))
    apd = content.table("APD").columns
    assert apd["account"][:2].tolist() == ["P", "C"]
    # APD rows: party, period, then P and C
    parties = len(result.inputs.parties)
    caei = result.imbalance.caei.reshape(parties, 2, 48).transpose(0, 2, 1).reshape(-1)
    np.testing.assert_array_equal(apd["caei"], np.round(caei, 2))
    ssd = content.table("SSD").columns
    np.testing.assert_array_equal(ssd["ssp"][:48], np.round(result.prices.ssp, 5))
    np.testing.assert_array_equal(ssd["niv"][:48], np.round(result.prices.niv, 3))
    np.testing.assert_array_equal(ssd["csobm"][-48:], np.round(result.csobm, 2))
    spi = content.table("SPI").columns
    np.testing.assert_array_equal(spi["sbp"], np.round(result.prices.sbp, 5))
    bo4 = content.table("BO4").columns
    pairs = result.inputs.bm.pairs
    order = np.lexsort((pairs.pair, pairs.unit, pairs.period))  # BO4 under BPI: period, unit
    np.testing.assert_array_equal(bo4["pair"], pairs.pair[order])
    np.testing.assert_array_equal(bo4["co"], np.round(result.bm.cashflows.co_nj[order], 2))
    np.testing.assert_array_equal(bo4["qab"], np.round(result.bm.volumes.qab_nj[order], 3))


def test_partial_settlement_refused(demo_inputs, tmp_path):
    from dataclasses import replace

    result = settle_day(replace(demo_inputs, periods=(27, 28)))
    with pytest.raises(
        NotWritableError,
        match="holds every period of 2024-06-12; this settlement has periods 27-28 of 48",
    ):
        write_s0142(tmp_path / "x.txt", result, ReportRun("SF"))
