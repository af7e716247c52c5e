"""Data layer: the settlement run database, case files, demo data, conversions. No Qt here."""
