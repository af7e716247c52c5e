"""What-if scenarios: a derived run holding only its overrides on an immutable base run
(`overrides` applies an edit to frames, `store` records edits, undo and the audit trail)."""
