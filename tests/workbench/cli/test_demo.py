"""`settlement-workbench demo` (workbench/cli/demo.py): the summary, and a file replaced only
with --force and only once the new one is complete."""

from __future__ import annotations

from tests.workbench.cli.running import one_line, run


def test_demo_prints_a_summary_with_the_attribution(tmp_path, capsys):
    code, out, err = run(capsys, "demo", "--db", str(tmp_path / "d.sqlite"), "--bmus", "15")
    assert code == 0, err
    assert "15 BM units" in out and "3 runs (II, SF, R1 per date)" in out
    assert "© Elexon Limited" in out


def test_demo_refuses_to_replace_a_file_without_force(tmp_path, capsys):
    path = tmp_path / "d.sqlite"
    path.write_text("precious")
    code, _, err = run(capsys, "demo", "--db", str(path), "--bmus", "15")
    assert code == 2 and "already exists" in err and path.read_text() == "precious"
    assert len(err.strip().splitlines()) == 1


def test_demo_force_keeps_the_old_file_until_the_new_one_is_complete(tmp_path, capsys, monkeypatch):
    path = tmp_path / "d.sqlite"
    assert run(capsys, "demo", "--db", str(path), "--bmus", "12")[0] == 0
    before = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr("models.demo.generator.write_demo_day", disk_full)
    code, _, err = run(capsys, "demo", "--db", str(path), "--bmus", "12", "--force")
    assert code == 2
    assert one_line(err) == (
        f"settlement-workbench: error: {path}: the disk is full; free some space and try again"
    )
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.sqlite"]
