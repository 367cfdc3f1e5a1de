"""Job functions for tests: imported by the job runner as `tests.web.job_functions`, like the tests do."""

import os
import signal
import threading

CALLS = []
RELEASE = threading.Event()


def record_call(*args):
    CALLS.append(args)
    return {"seen": list(args)}


def explode(*args):
    raise RuntimeError("磁盘已满")


def wait_for_release():
    RELEASE.wait(30)


def die(*args):
    """Kill the process that runs the job, as the OOM killer or a SIGKILL would."""
    os.kill(os.getpid(), signal.SIGKILL)


def export_after_release(*args):
    """The real export job, started only once the test has seen it running."""
    RELEASE.wait(30)
    from app.results.export import build_export

    return build_export(*args)
