"""The one-line progress bar of long commands (workbench/cli/progress_bar.py): drawn on a
terminal only, redrawn only when it changes, wiped on close."""

from __future__ import annotations

import io

from workbench.cli.progress_bar import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_fills_with_the_fraction_done():
    screen = Terminal()
    bar = ProgressBar(screen, width=10)
    bar(0.5, "importing")
    # 10 × 0.5 = 5 marks; the percentage in 4 characters; the text padded to 50.
    assert screen.getvalue() == "\r[#####.....]  50% " + "importing".ljust(50)
    bar(0.5, "importing")  # the same line: not written again
    bar(1.0, "done")
    assert screen.getvalue().count("\r") == 2
    assert screen.getvalue().endswith("\r[##########] 100% " + "done".ljust(50))


def test_close_wipes_the_line_it_drew():
    screen = Terminal()
    bar = ProgressBar(screen, width=4)
    bar(0.25, "x")
    drawn = screen.getvalue()
    bar.close()
    assert screen.getvalue() == drawn + "\r" + " " * len(drawn) + "\r"


def test_nothing_is_written_where_no_one_watches():
    pipe = io.StringIO()  # not a terminal: a log file or a pipe
    bar = ProgressBar(pipe)
    bar(0.5, "importing")
    bar.close()
    assert pipe.getvalue() == ""
