"""Application shell: the command line (`cli/`), the GUI (`gui/`) and the per-user error log."""


def version() -> str:
    """The installed version (read from the package metadata when asked: it costs 40 ms)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("settlement-workbench")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "0.1.0"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return version()
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")
