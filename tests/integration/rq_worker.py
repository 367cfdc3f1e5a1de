"""An RQ worker for tests: the app's job kinds plus the test kinds, in a forking worker (`python -m`).

    python -m tests.integration.rq_worker REDIS_URL                    # burst: work off the queue, exit
    python -m tests.integration.rq_worker REDIS_URL --with-scheduler [--every KIND=SECONDS ...]

With `--with-scheduler` it runs RQ's scheduler too (scheduled jobs, retries) until it is stopped, as
`rq worker changepulse --with-scheduler` does in production; `--every` registers periodic tasks, as the
modules that own them do on import. The job's app is built from the environment (DATABASE_URL).
"""

import sys

from redis import Redis
from rq import Queue, Worker

from app.jobs import KINDS, QUEUE, JobKind
from app.scheduler import every

KINDS["test.die"] = JobKind("tests.web.job_functions:die")
KINDS["test.record"] = JobKind("tests.web.job_functions:record_call")

if __name__ == "__main__":
    redis_url, options = sys.argv[1], sys.argv[2:]
    for index, option in enumerate(options):
        if option == "--every":
            kind, seconds = options[index + 1].split("=")
            every(int(seconds), kind)
    connection = Redis.from_url(redis_url)
    worker = Worker([Queue(QUEUE, connection=connection)], connection=connection)
    if "--with-scheduler" in options:
        worker.work(with_scheduler=True)
    else:
        worker.work(burst=True)
