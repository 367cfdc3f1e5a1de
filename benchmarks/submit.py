"""Submit throughput: the real app under gunicorn (2 workers, SQLite WAL) on loopback.

    .venv/bin/python benchmarks/submit.py [--responses 400] [--clients 16]

N concurrent clients each follow invitation links the way a phone does (GET /s/<token> → GET /respond
→ POST /respond with every question answered). Prints submits/s and p50/p99 latency of the POST, then
the same figures for a trivial endpoint (/healthz: one SELECT 1) served by the same gunicorn in the
same run, their ratio, and checks that the stored count equals the successful submits.
"""
import argparse
import http.client
import re
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._server import percentile, start_gunicorn  # noqa: E402

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def prepare(database_url: str, responses: int):
    """Migrate, load people and a campaign, and return the plain tokens and complete answers."""
    import os
    os.environ["DATABASE_URL"] = database_url
    from flask_migrate import upgrade

    from app import create_app
    from app.campaigns.service import CampaignSpec, create_campaign, issue_invitations
    from app.extensions import db
    from app.instruments import instrument_for, latest_version
    from app.people.directory import apply_import
    from app.people.importer import PersonRow
    app = create_app("development")
    with app.app_context():
        upgrade()
        apply_import(db.session, [PersonRow(i + 2, f"B{i:06d}", f"员工{i}", None, f"总部/区域{i % 5}/门店{i % 40}",
                                            "employee", "第一批") for i in range(responses)])
        version = latest_version(db.session, "quarterly-satisfaction")
        campaign, _ = create_campaign(db.session, CampaignSpec(version.id, "2026Q4", "基准测试", [], [], [], None, None))
        tokens = [token for _, token in issue_invitations(db.session, campaign)]
        db.session.commit()
        definition = instrument_for(version)
        answers = {}
        for q in definition.questions:
            if q.type == "likert5":
                answers[q.code] = "4"
            elif q.type == "nps":
                answers[q.code] = "8"
            elif q.type == "text":
                answers[q.code] = "审批流程太长了，希望能简化审批环节，减少等待时间。"
        db.engine.dispose()
    return tokens, answers


class Phone:
    """One keep-alive connection with its own cookie jar (one employee's browser)."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, text


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
            phone.cookie = ""
            status, _ = phone.request("GET", f"/s/{token}")
            status, html = phone.request("GET", "/respond")
            match = CSRF.search(html)
            if status != 200 or not match:
                failures.append(status)
                continue
            body = urlencode({**answers, "csrf_token": match.group(1)})
            started = time.perf_counter()
            status, _ = phone.request("POST", "/respond", body)
            elapsed = time.perf_counter() - started
            with lock:
                (latencies.append(elapsed) if status == 303 else failures.append(status))

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
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
            status, _ = phone.request("GET", "/healthz")
            with lock:
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cp-bench-"))
    database_url = f"sqlite:///{workdir / 'bench.sqlite'}"
    tokens, answers = prepare(database_url, args.responses)
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "benchmark", "RATELIMIT_ENABLED": "0"}
    server, base = start_gunicorn(env, workers=2)
    try:
        latencies, failures, wall = submit_all(base, tokens, answers, args.clients)
        trivial, trivial_wall = hammer_trivial(base, len(tokens) * 3, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=10)
    import sqlite3
    stored = sqlite3.connect(workdir / "bench.sqlite").execute("SELECT COUNT(*) FROM responses").fetchone()[0]
    submit_rate = len(latencies) / wall
    trivial_rate = len(trivial) / trivial_wall
    print(f"gunicorn 2 workers, SQLite WAL, {args.clients} concurrent clients, {len(tokens)} invitations")
    print(f"submit flow (GET link, GET form, POST): {submit_rate:.1f} responses/s over {wall:.1f} s")
    print(f"POST /respond latency: p50 {percentile(latencies, .5) * 1000:.1f} ms, p99 {percentile(latencies, .99) * 1000:.1f} ms")
    print(f"errors: {len(failures)} {sorted(set(failures)) if failures else ''}")
    print(f"trivial GET /healthz: {trivial_rate:.1f} requests/s, p50 {percentile(trivial, .5) * 1000:.1f} ms, "
          f"p99 {percentile(trivial, .99) * 1000:.1f} ms")
    print(f"ratio trivial requests/s ÷ submits/s: {trivial_rate / submit_rate:.1f}")
    print(f"stored responses {stored} == successful submits {len(latencies)}: {stored == len(latencies)}")
    if stored != len(latencies) or failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
