"""Qt widgets, item models, pyqtgraph charts and dialogs (the workbench's screens)."""
