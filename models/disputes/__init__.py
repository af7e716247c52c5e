"""Disputes: two settlements of a date compared party by party (`compare`, deltas are after -
before), the key a comparison was computed from (`comparison_key`), and dispute cases with
their raise-by dates (`dispute_cases`; a case file is another thing: models.casefiles)."""
