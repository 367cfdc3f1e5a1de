"""Results at scale: 100k responses × the satisfaction instrument (≈ 2.5 M answers) in SQLite.

    .venv/bin/python benchmarks/results.py [--responses 100000] [--baseline GIT_REF]

Times the results API for by=department cold (nothing cached) and warm, the first read (which cuts the
release step and plans it with the release ledger), the ledger's plan on its own, one adversary pass (every
view a manager can read: each by/level/include of the API, every released comment list, the raw CSV), and
the XLSX export (time and peak RSS of the process). With `--baseline REF` the same measurement runs first in
a checkout of REF (e.g. the commit before the ledger) on a database generated the same way, and the ratio of
the cold medians is printed. Targets: cold within 1.2× of the baseline, warm ≤ 50 ms, export < 60 s in < 1 GB.
"""

import argparse
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, os.environ.get("CHANGEPULSE_ROOT") or str(Path(__file__).resolve().parent.parent))


def generate(path: Path, responses: int, campaign_id: int) -> None:
    rng = random.Random(1)
    departments = [
        f"总部/{region}/{store}"
        for region in ("华东区", "华南区", "华北区", "西南区")
        for store in ("门店一", "门店二", "门店三", "门店四", "区域办公室")
    ]
    roles = ["employee"] * 16 + ["manager"] * 3 + ["executive", "digital_admin"]
    waves = ["第一批", "第二批", "第三批"]
    comments = ["审批流程太长了", "考勤打卡定位不准", "消息太多被打扰", "培训不够", "系统很卡", "无"]
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    response_rows, answer_rows = [], []
    codes = (
        [f"sus{i}" for i in range(1, 11)]
        + ["enps"]
        + [f"mod_{m}" for m in ("attendance", "approval", "log", "drive", "message", "training")]
    )
    for _ in range(responses):
        response_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        response_rows.append(
            (
                response_id,
                campaign_id,
                "2026-11-20",
                rng.choice(roles),
                rng.choice(departments),
                rng.choice(waves),
                0,
                None,
            )
        )
        for code in codes:
            value = rng.randint(0, 10) if code == "enps" else rng.randint(1, 5)
            answer_rows.append((uuid.UUID(int=rng.getrandbits(128)).hex, response_id, code, value, None))
        for code in ("trouble", "suggestion"):
            if rng.random() < 0.6:
                answer_rows.append(
                    (uuid.UUID(int=rng.getrandbits(128)).hex, response_id, code, None, rng.choice(comments))
                )
        if len(answer_rows) > 200_000:
            _flush(connection, response_rows, answer_rows)
    _flush(connection, response_rows, answer_rows)
    connection.commit()
    connection.close()


def _flush(connection, response_rows, answer_rows):
    connection.executemany(
        "INSERT INTO responses (id, campaign_id, submitted_on, role, department_path, wave, "
        "via_open_link, receipt_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        response_rows,
    )
    connection.executemany(
        "INSERT INTO answers (id, response_id, question_code, value_number, value_text) VALUES (?, ?, ?, ?, ?)",
        answer_rows,
    )
    response_rows.clear()
    answer_rows.clear()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline(ref: str, responses: int) -> float:
    """Run this benchmark's measurement in a checkout of `ref`; its cold median in seconds."""
    import re
    import subprocess

    root = Path(__file__).resolve().parent.parent
    checkout = Path(tempfile.mkdtemp(prefix="cp-baseline-"))
    subprocess.run(
        ["git", "-C", str(root), "worktree", "add", "--detach", str(checkout), ref], check=True, capture_output=True
    )
    try:
        output = subprocess.run(  # this script, importing the code of the checkout
            [sys.executable, str(Path(__file__).resolve()), "--responses", str(responses), "--skip-export"],
            cwd=checkout,
            env=os.environ | {"CHANGEPULSE_ROOT": str(checkout)},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(checkout)], check=False)
    print("baseline", ref, "—", next(line for line in output.splitlines() if "cold median" in line))
    return float(re.search(r"cold median (\d+) ms", output).group(1)) / 1000


def adversary_pass(client, campaign_id: int, levels: int) -> tuple[int, float]:
    """Every view a manager can read, once: (views read, seconds)."""
    import re

    started, views = time.perf_counter(), 0
    base = f"/api/v1/campaigns/{campaign_id}/results?include=negative_share"
    queries = ["&by=role", "&by=wave"] + [f"&by=department&level={level}" for level in range(1, levels + 1)]
    for query in queries:
        assert client.get(base + query).status_code == 200
        views += 1
    page = client.get(f"/results/{campaign_id}/comments").get_data(as_text=True)
    views += 1
    for by, value in sorted(set(re.findall(r'comments\?by=([^&"]+)&amp;value=([^"]+)"', page))):
        assert client.get(f"/results/{campaign_id}/comments?by={by}&value={value}").status_code == 200
        views += 1
    assert client.get(f"/campaigns/{campaign_id}/export.csv?table=answers").status_code == 200
    return views + 1, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--baseline", help="git ref to measure first, in the same run")
    parser.add_argument("--skip-export", action="store_true", help="(used for the baseline run)")
    args = parser.parse_args()
    baseline_cold = baseline(args.baseline, args.responses) if args.baseline else None
    workdir = Path(tempfile.mkdtemp(prefix="cp-results-"))
    database = workdir / "results.sqlite"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    from flask_migrate import upgrade

    from app import create_app
    from app.campaigns.service import CampaignSpec, create_campaign
    from app.extensions import db
    from app.instruments import latest_version
    from app.staff import create_staff_user
    from config import DevelopmentConfig

    config = type(
        "BenchConfig",
        (DevelopmentConfig,),
        {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"},
    )
    app = create_app(config)
    with app.app_context():
        upgrade()
        version = latest_version(db.session, "quarterly-satisfaction")
        campaign, _ = create_campaign(db.session, CampaignSpec(version.id, "2026Q4", "基准", [], [], [], None, None))
        create_staff_user(db.session, "bench@example.com", "manager", "benchmark password")
        db.session.commit()
        campaign_id = campaign.id
        db.engine.dispose()
    started = time.perf_counter()
    generate(database, args.responses, campaign_id)
    answers = sqlite3.connect(database).execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    print(
        f"generated {args.responses} responses, {answers} answers in {time.perf_counter() - started:.1f} s "
        f"({database.stat().st_size / 1e6:.0f} MB)"
    )

    client = app.test_client()
    client.post("/login", data={"email": "bench@example.com", "password": "benchmark password"})
    url = f"/api/v1/campaigns/{campaign_id}/results?by=department&level=3"
    from app.models import Campaign
    from app.results.response_frames import clear_cache

    started = time.perf_counter()
    assert client.get(url).status_code == 200
    first = time.perf_counter() - started
    ledger_line = ""
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        if hasattr(campaign, "release_step"):  # the baseline checkout has no ledger
            from analysis.release import plan_step
            from app.results import releases

            counts = releases.cell_counts(db.session, campaign)
            started = time.perf_counter()
            plan = plan_step(counts, [], campaign.release_step, campaign.min_group, campaign.min_group_text)
            ledger_line = (
                f"; the ledger's plan of that step alone: {(time.perf_counter() - started) * 1000:.0f} ms "
                f"({len(plan.decisions)} decisions over {len(counts)} cells)"
            )
    print(f"first read (cuts the release step and plans it): {first * 1000:.0f} ms{ledger_line}")
    colds = []
    for _ in range(3):
        clear_cache()
        started = time.perf_counter()
        response = client.get(url)
        colds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    colds.sort()
    cold = colds[1]
    warm = []
    for _ in range(10):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        warm.append(time.perf_counter() - started)
    warm.sort()
    print(
        f"results API by=department (level 3, {len(response.json['segments'])} segments): "
        f"cold median {cold * 1000:.0f} ms (of {', '.join(f'{c * 1000:.0f}' for c in colds)}), "
        f"warm median {warm[5] * 1000:.0f} ms, max {warm[-1] * 1000:.0f} ms"
    )
    started = time.perf_counter()
    assert client.get(url + "&include=negative_share").status_code == 200
    print(
        f"with include=negative_share (reads and scores every comment once): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms on a warm campaign"
    )
    print(f"peak RSS after results: {peak_rss_mb():.0f} MB")
    if baseline_cold:
        print(f"cold median / baseline cold median: {cold / baseline_cold:.2f}")
    if hasattr(Campaign, "release_step"):
        views, seconds = adversary_pass(client, campaign_id, 3)
        print(f"adversary pass: {views} views read in {seconds:.1f} s")
    if args.skip_export:
        return
    started = time.perf_counter()
    response = client.get(f"/campaigns/{campaign_id}/export.xlsx")
    size = len(response.data)
    print(
        f"XLSX export: {time.perf_counter() - started:.1f} s, {size / 1e6:.1f} MB, status {response.status_code}; "
        f"peak RSS of the process {peak_rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
