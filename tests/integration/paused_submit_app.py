"""The app, with a pause inside every submit transaction, for killing a worker at the worst moment.

    gunicorn -c gunicorn.conf.py "tests.integration.paused_submit_app:create_app()"

After a submit has completed the invitation and inserted the response and its answers, but before
COMMIT, the worker creates the file SUBMIT_MARK_DIR/<pid>, pauses SUBMIT_PAUSE seconds and removes the
file. A test that SIGKILLs the pid of a file it sees kills a worker with the transaction open.
"""

import contextlib
import os
import time

from sqlalchemy import event

from app import create_app as create_changepulse_app
from app.extensions import db


def create_app():
    app = create_changepulse_app()
    mark_dir = os.environ["SUBMIT_MARK_DIR"]
    pause = float(os.environ.get("SUBMIT_PAUSE", "0.2"))
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "after_cursor_execute")
    def pause_inside_the_transaction(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO ANSWERS"):
            mark = os.path.join(mark_dir, str(os.getpid()))
            with open(mark, "w"):
                pass
            time.sleep(pause)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(mark)

    return app
