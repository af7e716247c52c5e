"""Importers of Elexon's published formats into a settlement run database.

One framework drives every dataset: a file is recognised from its content (`formats`), its
records are typed and checked against a dataset description (`datasets`, `columns`), grouped
by settlement date and written in one transaction (`loader`). Anything wrong anywhere rejects
the whole import with a report naming file, line or JSON path, field, value and reason.
"""
