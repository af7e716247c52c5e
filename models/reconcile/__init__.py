"""Reconciliation: our settlement of a run against the SAA's own S0142 figures, value by value
(`s0142`), with tolerances and the known gaps (SETTLEMENT_RULES.md section 15) said."""
