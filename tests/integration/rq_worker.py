"""An RQ worker for tests: the app's job kinds plus the test kinds, in a forking worker (`python -m`).

    python -m tests.integration.rq_worker REDIS_URL

Runs in burst mode: it works off the queue and exits. The job's app is built from the environment
(DATABASE_URL), as under `rq worker changepulse` in production.
"""

import sys

from redis import Redis
from rq import Queue, Worker

from app.jobs import KINDS, QUEUE, JobKind

KINDS["test.die"] = JobKind("tests.web.job_functions:die")
KINDS["test.record"] = JobKind("tests.web.job_functions:record_call")

if __name__ == "__main__":
    connection = Redis.from_url(sys.argv[1])
    Worker([Queue(QUEUE, connection=connection)], connection=connection).work(burst=True)
