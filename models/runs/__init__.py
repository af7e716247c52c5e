"""A stored settlement run: rows and columns of its inputs (`run_store`, `run_frames`), a
scenario's edits on a base run (`scenarios`), engine inputs (`inputs`), stored results and
checks (`results_store`, `stored_check`, `check_outcomes`), data warnings and completeness, a
case file stored as a run and back (`case_store`) and the open run as the GUI shows it
(`run_view`). A run is an immutable snapshot; only scenarios take edits."""
