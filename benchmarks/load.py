"""Load: 1,000 invitations answered by 64 concurrent clients against gunicorn + PostgreSQL on loopback.

    .venv/bin/python benchmarks/load.py [--invitations 1000] [--clients 64] [--workers N]

Without TEST_POSTGRES_URL it re-runs itself under scripts/with_postgres.sh with PG_FSYNC=on (a
throw-away cluster that syncs to disk like a production server). It creates a fresh database, migrates
it, loads the people and a campaign, and starts gunicorn with gunicorn.conf.py (workers from the CPU
count unless --workers). Each client follows links the way a phone does (GET /s/<token>, GET
/respond, POST /respond). Prints responses/s, p50/p99 of the POST and of the whole flow, errors (must
be 0), and checks that the stored responses equal the successful submits and the completed invitations.
Exit status 1 if any of that fails.
"""

import argparse
import http.client
import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._server import percentile  # noqa: E402
from benchmarks.submit import SECRET_KEY, prepare  # noqa: E402
from tests.servers import Phone, gunicorn, postgres_database, run_in_threads  # noqa: E402


def answer_all(base: str, tokens: list[str], answers: dict, clients: int):
    post_latencies, flow_latencies, errors = [], [], []
    lock = threading.Lock()
    queue = list(tokens)
    start = threading.Barrier(clients)

    def work():
        phone = Phone(base)
        start.wait()
        while True:
            with lock:
                if not queue:
                    return
                token = queue.pop()
            began = time.perf_counter()
            try:
                status, csrf = phone.open_invitation(token)
                if csrf is None:
                    raise RuntimeError(f"form status {status}")
                posted = time.perf_counter()
                status = phone.post_answers(answers, csrf)
                if status != 303:
                    raise RuntimeError(f"POST status {status}")
            except (RuntimeError, OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(str(exc))
                phone.reconnect()
                continue
            ended = time.perf_counter()
            with lock:
                post_latencies.append(ended - posted)
                flow_latencies.append(ended - began)

    began = time.perf_counter()
    run_in_threads(work, [() for _ in range(clients)])
    return post_latencies, flow_latencies, errors, time.perf_counter() - began


def stored(database_url: str) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        responses = connection.execute(text("SELECT COUNT(*) FROM responses")).scalar_one()
        completed = connection.execute(text("SELECT COUNT(*) FROM invitations WHERE status = 'completed'")).scalar_one()
    engine.dispose()
    return responses, completed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitations", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count() * 2 + 1)
    args = parser.parse_args()
    if not os.environ.get("TEST_POSTGRES_URL"):
        os.environ["PG_FSYNC"] = "on"
        os.execv(
            str(ROOT / "scripts" / "with_postgres.sh"),
            [str(ROOT / "scripts" / "with_postgres.sh"), sys.executable, *sys.argv],
        )
    with postgres_database(os.environ["TEST_POSTGRES_URL"]) as database_url:
        tokens, answers = prepare(database_url, args.invitations)
        env = {
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET_KEY,
            "RATELIMIT_ENABLED": "0",
            "CHANGEPULSE_CONFIG": "development",
        }
        with gunicorn(env, workers=args.workers) as server:
            posts, flows, errors, wall = answer_all(server.base, tokens, answers, args.clients)
        responses, completed = stored(database_url)
    print(
        f"gunicorn {args.workers} workers (sync), PostgreSQL on loopback (fsync {os.environ.get('PG_FSYNC', 'off')}), "
        f"{args.clients} concurrent clients, {len(tokens)} invitations, {os.cpu_count()} CPU cores shared by all"
    )
    print(f"responses/s: {len(posts) / wall:.1f} ({len(posts)} in {wall:.1f} s)")
    print(f"POST /respond: p50 {percentile(posts, 0.5) * 1000:.0f} ms, p99 {percentile(posts, 0.99) * 1000:.0f} ms")
    print(
        f"whole flow (3 requests): p50 {percentile(flows, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(flows, 0.99) * 1000:.0f} ms"
    )
    print(f"errors: {len(errors)}" + (f" e.g. {sorted(set(errors))[:3]}" if errors else ""))
    print(
        f"stored responses {responses}, completed invitations {completed}, successful submits {len(posts)}: "
        f"{'equal' if responses == completed == len(posts) else 'NOT EQUAL'}"
    )
    if errors or not responses == completed == len(posts) == len(tokens):
        sys.exit(1)


if __name__ == "__main__":
    main()
