"""Submit throughput: the real app under gunicorn (2 workers, SQLite WAL) on loopback.

    .venv/bin/python benchmarks/submit.py [--responses 400] [--clients 16]

N concurrent clients each follow invitation links the way a phone does (GET /s/<token> → GET /respond
→ POST /respond with every question answered). Prints submits/s and p50/p99 latency of the POST, then
the same figures for a trivial endpoint (/healthz: one SELECT 1) served by the same gunicorn in the
same run, their ratio, and checks that the stored count equals the successful submits.
"""

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._server import percentile
from tests.servers import Phone, gunicorn, run_in_threads

SECRET_KEY = "benchmark"  # the server's too: invitation links are derived from it


def prepare(database_url: str, responses: int):
    """Migrate, load people and a campaign, and return the plain tokens and complete answers."""
    import os

    os.environ["DATABASE_URL"] = database_url
    from flask_migrate import upgrade

    from app import create_app
    from app.campaigns.service import CampaignSpec, create_campaign, issue_invitations
    from app.extensions import db
    from app.instruments import latest_version
    from app.people.directory import apply_import
    from app.people.importer import PersonRow
    from tests.web.respond_helpers import complete_answers

    app = create_app("development")
    app.config["SECRET_KEY"] = SECRET_KEY
    with app.app_context():
        upgrade()
        apply_import(
            db.session,
            [
                PersonRow(i + 2, f"B{i:06d}", f"员工{i}", None, f"总部/区域{i % 5}/门店{i % 40}", "employee", "第一批")
                for i in range(responses)
            ],
        )
        version = latest_version(db.session, "quarterly-satisfaction")
        campaign, _ = create_campaign(
            db.session, CampaignSpec(instrument_version_id=version.id, quarter="2026Q4", title="基准测试")
        )
        tokens = [token for _, token in issue_invitations(db.session, campaign)]
        answers = complete_answers(campaign, text="审批流程太长了，希望能简化审批环节，减少等待时间。")
        db.session.commit()
        db.engine.dispose()
    return tokens, answers


def submit_all(base: str, tokens: list[str], answers: dict, clients: int):
    latencies, failures = [], []
    lock = threading.Lock()
    queue = list(tokens)

    def work():
        phone = Phone(base)
        while True:
            with lock:
                if not queue:
                    return
                token = queue.pop()
            status, csrf = phone.open_invitation(token)
            if csrf is None:
                failures.append(status)
                continue
            started = time.perf_counter()
            status = phone.post_answers(answers, csrf)
            elapsed = time.perf_counter() - started
            with lock:
                (latencies.append(elapsed) if status == 303 else failures.append(status))

    started = time.perf_counter()
    run_in_threads(work, [() for _ in range(clients)])
    return latencies, failures, time.perf_counter() - started


def hammer_trivial(base: str, requests: int, clients: int):
    latencies = []
    lock = threading.Lock()
    remaining = [requests]

    def work():
        phone = Phone(base)
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            _status, _ = phone.request("GET", "/healthz")
            with lock:
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    run_in_threads(work, [() for _ in range(clients)])
    return latencies, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cp-bench-"))
    database_url = f"sqlite:///{workdir / 'bench.sqlite'}"
    tokens, answers = prepare(database_url, args.responses)
    env = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": "0"}
    with gunicorn(env, workers=2) as server:
        latencies, failures, wall = submit_all(server.base, tokens, answers, args.clients)
        trivial, trivial_wall = hammer_trivial(server.base, len(tokens) * 3, args.clients)
    import sqlite3

    stored = sqlite3.connect(workdir / "bench.sqlite").execute("SELECT COUNT(*) FROM responses").fetchone()[0]
    submit_rate = len(latencies) / wall
    trivial_rate = len(trivial) / trivial_wall
    print(f"gunicorn 2 workers, SQLite WAL, {args.clients} concurrent clients, {len(tokens)} invitations")
    print(f"submit flow (GET link, GET form, POST): {submit_rate:.1f} responses/s over {wall:.1f} s")
    print(
        f"POST /respond latency: p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms"
    )
    print(f"errors: {len(failures)} {sorted(set(failures)) if failures else ''}")
    print(
        f"trivial GET /healthz: {trivial_rate:.1f} requests/s, p50 {percentile(trivial, 0.5) * 1000:.1f} ms, "
        f"p99 {percentile(trivial, 0.99) * 1000:.1f} ms"
    )
    print(f"ratio trivial requests/s ÷ submits/s: {trivial_rate / submit_rate:.1f}")
    print(f"stored responses {stored} == successful submits {len(latencies)}: {stored == len(latencies)}")
    if stored != len(latencies) or failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
