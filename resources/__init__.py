"""Icons and styles shipped with the application."""

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent


def resource_path(name: str) -> Path:
    return RESOURCES / name
