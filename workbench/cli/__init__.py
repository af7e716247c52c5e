"""The command line: `main` builds the parser and dispatches; one module per command group;
`common` holds the argument helpers (`--db`, dates, run types, periods) and the exit codes."""
