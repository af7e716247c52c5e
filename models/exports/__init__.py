"""Exports: Excel workbooks (evidence packs, runs, tables) written with openpyxl."""
