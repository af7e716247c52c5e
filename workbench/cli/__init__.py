"""The command line: `main` builds the parser and dispatches; one module per command group
(demo, runs, case, gui, settle + show, imports, scenario, disputes, export, register, fetch,
reconcile); `args` declares and parses the options they share (`--db`, dates, run types and
numbers, periods); `common` holds the exit codes, one-line messages and database opening."""
