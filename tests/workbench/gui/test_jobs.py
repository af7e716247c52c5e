"""Background jobs: the work's result, progress and failure come back by signals; starting a
job of a kind cancels the running one of that kind, not the others."""

from __future__ import annotations

import threading

from workbench.gui.jobs import JobRunner

TIMEOUT_MS = 10_000


def test_a_job_reports_its_progress_and_result_and_is_gone_when_done(qtbot):
    runner = JobRunner()
    told = {"started": [], "finished": [], "progress": [], "result": [], "failed": []}
    runner.started.connect(told["started"].append)
    runner.finished.connect(told["finished"].append)
    runner.progressed.connect(lambda fraction, text: told["progress"].append((fraction, text)))

    def work(progress, cancelled):
        progress(0.5, "period 24 of 48")
        return 48

    runner.start("settle", work, told["result"].append, lambda *f: told["failed"].append(f))
    assert runner.busy()
    qtbot.waitUntil(lambda: told["result"] == [48] and not runner.busy(), timeout=TIMEOUT_MS)
    assert told["started"] == ["settle"] and told["finished"] == ["settle"]
    assert told["progress"] == [(0.5, "period 24 of 48")]
    assert told["failed"] == [] and not runner.busy()


def test_the_progress_of_a_job_cancelled_after_it_reported_is_not_passed_on(qtbot):
    runner = JobRunner()
    told = []
    runner.progressed.connect(lambda fraction, text: told.append(text))
    job = runner.start(
        "load", lambda progress, cancelled: progress(0.9, "the last database's run"), print, print
    )
    assert job.wait(TIMEOUT_MS)  # its report is on its way to the GUI thread
    runner.start("load", lambda progress, cancelled: progress(0.1, "this run"), print, print)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=TIMEOUT_MS)
    assert told == ["this run"]


def test_a_failing_job_gives_its_message_and_traceback(qtbot):
    runner = JobRunner()
    failures = []

    def work(progress, cancelled):
        raise ValueError("period 49 is not in the day")

    runner.start("load", work, lambda result: None, lambda *f: failures.append(f))
    qtbot.waitUntil(lambda: len(failures) == 1 and not runner.busy(), timeout=TIMEOUT_MS)
    message, details = failures[0]
    assert message == "period 49 is not in the day"
    assert "Traceback" in details and "ValueError" in details


def test_a_job_of_the_same_kind_cancels_the_running_one_not_another_kinds(qtbot):
    runner = JobRunner()
    running = threading.Event()
    told = []

    def until_cancelled(progress, cancelled):
        running.set()
        while not cancelled():
            threading.Event().wait(0.01)
        return "unfinished"

    runner.start("export", until_cancelled, told.append, lambda *f: told.append(f),
                 on_cancel=lambda: told.append("export cancelled"))  # fmt: skip
    assert running.wait(TIMEOUT_MS / 1000)
    other = runner.start("settle", lambda progress, cancelled: "settled", told.append, print)
    qtbot.waitUntil(lambda: "settled" in told, timeout=TIMEOUT_MS)
    assert "export cancelled" not in told and runner.jobs["export"].isRunning()
    assert not other.is_cancelled
    runner.start("export", lambda progress, cancelled: "exported", told.append, print)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=TIMEOUT_MS)
    # Replaced, the first export says nothing: its "Cancelled." would cover the second's news.
    assert "export cancelled" not in told and "exported" in told and "unfinished" not in told


def test_queued_work_runs_in_order_one_at_a_time_and_a_cancel_does_not_stop_it(qtbot):
    runner = JobRunner()
    release = threading.Event()
    running, told, written = [], [], []

    def write(n):
        def work(progress, cancelled):
            running.append(n)
            assert len(running) - len(written) == 1, "two writes of one kind at once"
            if n == 1:
                assert release.wait(TIMEOUT_MS / 1000)
            return n

        return work

    for n in (1, 2, 3):
        runner.queue("scenario write", write(n), written.append, lambda *f: told.append(f))
    assert runner.busy() and running in ([], [1])
    runner.cancel()  # e.g. the window closing: the edits are written all the same
    runner.start("load", lambda progress, cancelled: "loaded", told.append, print)
    release.set()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=TIMEOUT_MS)
    assert written == [1, 2, 3] and told == ["loaded"]
    assert running == [1, 2, 3] and runner.queued == {}


def test_wait_all_writes_what_is_queued_without_the_event_loop(qtbot):
    runner = JobRunner()
    written = []

    def write(n):
        def work(progress, cancelled):
            threading.Event().wait(0.02)
            written.append(n)
            return n

        return work

    for n in range(4):
        runner.queue("scenario write", write(n), lambda result: None, print)
    runner.wait_all()  # no event processed: the closing window's case
    assert written == [0, 1, 2, 3]
    qtbot.waitUntil(lambda: not runner.busy(), timeout=TIMEOUT_MS)


def test_a_quiet_job_is_not_announced_but_its_end_is_and_it_counts_as_busy(qtbot):
    """A read behind a panel (its dispute cases on each run shown): the window's status line
    keeps what it says, its progress bar hides once nothing runs."""
    runner = JobRunner()
    started, finished, results = [], [], []
    runner.started.connect(started.append)
    runner.finished.connect(finished.append)
    release = threading.Event()

    def work(progress, cancelled):
        release.wait(TIMEOUT_MS / 1000)
        return "cases"

    runner.start("dispute cases", work, results.append, print, quiet=True)
    assert runner.busy() and started == []
    release.set()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=TIMEOUT_MS)
    assert results == ["cases"] and started == [] and finished == ["dispute cases"]
    runner.start("load", lambda progress, cancelled: "loaded", results.append, print)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=TIMEOUT_MS)
    assert started == ["load"]


def test_the_users_cancel_leaves_a_quiet_read_to_finish(qtbot):
    """Esc cancels what the status line announces; a read behind a panel (never announced)
    ends and is given: cancelled, its panel would stay stale. A cancel of every job (the
    window closing) still cancels it."""
    runner = JobRunner()
    release, results, cancelled = threading.Event(), [], []

    def work(progress, is_cancelled):
        release.wait(TIMEOUT_MS / 1000)
        return "runs"

    runner.start("runs", work, results.append, print, lambda: cancelled.append("runs"), quiet=True)
    runner.start("load", work, results.append, print, lambda: cancelled.append("load"))
    runner.cancel(announced_only=True)
    release.set()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=TIMEOUT_MS)
    assert results == ["runs"] and cancelled == ["load"]
    release.clear()
    runner.start("runs", work, results.append, print, lambda: cancelled.append("runs"), quiet=True)
    runner.cancel()
    release.set()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=TIMEOUT_MS)
    assert cancelled == ["load", "runs"]


def _held(release: threading.Event):
    def work(progress, cancelled):
        if not release.wait(TIMEOUT_MS / 1000):
            raise TimeoutError("never released")
        return "written"

    return work


def test_a_database_replaced_is_closed_only_after_the_writes_queued_on_it(qtbot):
    runner = JobRunner()
    old, new, closed = object(), object(), []
    runner.database = old
    release = threading.Event()
    runner.queue("scenario", _held(release), print, print)
    runner.queue("scenario", lambda progress, cancelled: "second", print, print)
    runner.database = new  # another database is shown
    runner.start("load", lambda progress, cancelled: "the new one's run", print, print)
    runner.after_jobs_of(old, lambda: closed.append("old"))
    qtbot.waitUntil(lambda: "load" not in runner.jobs, timeout=TIMEOUT_MS)
    qtbot.wait(50)
    assert closed == []  # the new one's load has ended; the old one's writes are held
    release.set()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=TIMEOUT_MS)
    assert closed == ["old"]
    assert [j for j in runner.jobs.values()] == []
    runner.after_jobs_of(old, lambda: closed.append("at once"))  # nothing of it runs
    assert closed[-1] == "at once"


def test_a_closed_runner_writes_what_is_queued_and_starts_nothing_after(qtbot):
    runner = JobRunner()
    written = []
    release = threading.Event()
    runner.queue("scenario", _held(release), written.append, print)
    release.set()
    runner.close()  # the window closing: the edit is written, without the event loop
    assert runner.closed and not any(j.isRunning() for j in runner.jobs.values())
    # The write's result arrives after the close and asks for a reload: nothing starts.
    assert runner.start("load", lambda progress, cancelled: "reload", print, print) is None
    runner.queue("scenario", lambda progress, cancelled: "late", written.append, print)
    qtbot.wait(50)
    assert written == ["written"] and "load" not in runner.jobs and not runner.queued


def test_a_job_a_newer_one_replaced_does_not_say_it_was_cancelled(qtbot):
    runner = JobRunner()
    told = []
    first_release, second_release = threading.Event(), threading.Event()

    def slow(release):
        def work(progress, cancelled):
            release.wait(TIMEOUT_MS / 1000)
            if cancelled():
                from workbench.gui.jobs import Cancelled

                raise Cancelled
            return "loaded"

        return work

    runner.start("load", slow(first_release), told.append, print, lambda: told.append("R1 cancel"))
    runner.start("load", slow(second_release), told.append, print, lambda: told.append("II cancel"))
    first_release.set()  # the R1 load ends cancelled while the II one runs
    qtbot.wait(150)
    assert told == []  # no "Cancelled." over the II load's progress
    runner.cancel("load")  # the user's Esc: that one says so
    second_release.set()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=TIMEOUT_MS)
    assert told == ["II cancel"]


def test_an_answer_no_longer_wanted_is_dropped_success_and_failure_alike(qtbot):
    runner = JobRunner()
    told, wanted = [], [True]

    def fails(progress, cancelled):
        raise ValueError("the database before")

    still = lambda: wanted[0]  # noqa: E731
    runner.start("read", lambda p, c: "cases", told.append, print, quiet=True, still=still)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=TIMEOUT_MS)
    wanted[0] = False  # another database opened
    runner.start("read", lambda p, c: "stale", told.append, print, quiet=True, still=still)
    runner.start("check", fails, print, lambda *f: told.append(f), quiet=True, still=still)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=TIMEOUT_MS)
    assert told == ["cases"]
