"""The GUI: the application (`app`), the main window, controllers, background jobs, preloading
and recent files."""
