"""Modification impact (issue 22): settle stored runs with the rulebook's rules and with a rule
variant, day by day, and report the price, NIV and cash deltas.

`day` settles one date's runs both ways and keeps small per-run arrays; `plan` lists the dates
and runs of a range; `execute` runs the days in one process, a process pool or on a Dask
cluster (`cluster`), with retries, progress and cancel; `report` aggregates the days.
"""
