"""Data layer: the settlement run database and everything read into or out of it. No Qt here.

Rooms, each a package that says what it owns; doors open one way (import-linter's
"Rooms of the data layer" contract, top to bottom):

    fetch                                   getting Elexon data over HTTP, then importing it
    demo | exports | imports | reconcile    features built on runs: make, write, read, compare
    disputes                                comparisons of two settlements, dispute cases
    runs                                    a stored run: inputs, scenarios, results, checks
    casefiles | published | register        documents and reference data: case files, what
                                            Elexon published, the dated BM unit register
    db | p114                               storage (schema, database, migrations, caches) and
                                            the P114 flat-file format
    core                                    errors, limits, column tables, atomic file writes

ARCHITECTURE.md at the top of the repository walks through them.
"""
