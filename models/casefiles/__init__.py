"""The JSON case-file format (CASE_FORMAT.md): its schema, validation of values, reading and
canonical writing, and the results document (`results_json`). Documents only: no database."""
