"""Pieces every command shares: exit codes, argument types, opening a database."""

from __future__ import annotations

import argparse
from datetime import date

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; expected YYYY-MM-DD") from None


def run_type_arg(text: str):
    from engine.settlement_calendar import RunType

    try:
        return RunType.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def open_db(target: str):
    from models.database import SettlementDatabase

    return SettlementDatabase.open(target)
