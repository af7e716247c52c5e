"""What-if scenarios: a derived run holding only its overrides on an immutable base run."""
