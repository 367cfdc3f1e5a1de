"""Results at scale: 100k responses × the satisfaction instrument (≈ 2.5 M answers) in SQLite.

    .venv/bin/python benchmarks/results.py [--responses 100000] [--baseline GIT_REF]

Times the results API for by=department cold (nothing cached) and warm, the first read (which cuts the release
step and plans it with the release ledger), the ledger's plan on its own, one adversary pass (every view a
manager can read: each by/level/include of the API, every released comment list, the raw CSV), and the XLSX
export (time and peak RSS of the process). With `--baseline REF` the same measurement runs first in a checkout
of REF (e.g. the commit before the ledger) on a database generated the same way, alternating with this
checkout's (baseline, ours, baseline, ours), and the ratio of the cold medians is printed. Also the results
home (`/results/<id>`, cold and warm, its cold over this run's cold results API) and driver analysis of every
respondent. Targets: cold within 1.2× of the baseline, warm ≤ 50 ms, export < 60 s in < 1 GB; the results home
warm ≤ 300 ms and cold ≤ 1.5× the cold results API; driver analysis of 100k respondents ≤ 1 s.
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


def run_checkout(checkout: Path, *arguments: str) -> str:
    """This script, run with the code of `checkout` (another git revision), with `arguments`; its output."""
    import subprocess

    return subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *arguments],
        cwd=checkout,
        env=os.environ | {"CHANGEPULSE_ROOT": str(checkout)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def cold_median_of(output: str) -> float:
    import re

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


def prepare(database: Path, responses: int):
    """Migrate `database`, create the campaign and the manager, generate the responses; (app, campaign id)."""
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    from flask_migrate import upgrade

    from app import create_app
    from app.campaigns.service import CampaignSpec, create_campaign
    from app.extensions import db
    from app.instruments import latest_version
    from app.staff import create_staff_user

    app = create_app(bench_config(database))
    with app.app_context():
        upgrade()
        version = latest_version(db.session, "quarterly-satisfaction")
        campaign, _ = create_campaign(
            db.session, CampaignSpec(instrument_version_id=version.id, quarter="2026Q4", title="基准")
        )
        create_staff_user(db.session, "bench@example.com", "manager", "benchmark password")
        db.session.commit()
        campaign_id = campaign.id
        db.engine.dispose()
    started = time.perf_counter()
    generate(database, responses, campaign_id)
    answers = sqlite3.connect(database).execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    print(
        f"generated {responses} responses, {answers} answers in {time.perf_counter() - started:.1f} s "
        f"({database.stat().st_size / 1e6:.0f} MB)"
    )
    return app, campaign_id


def bench_config(database: Path):
    from config import DevelopmentConfig

    return type(
        "BenchConfig",
        (DevelopmentConfig,),
        {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"},
    )


def logged_in(app):
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.com", "password": "benchmark password"})
    return client


def cold_and_warm(client, url: str) -> tuple[list[float], list[float]]:
    from app.results.response_frames import clear_cache

    colds = []
    for _ in range(3):
        clear_cache()
        started = time.perf_counter()
        response = client.get(url)
        colds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    warm = []
    for _ in range(10):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        warm.append(time.perf_counter() - started)
    return sorted(colds), sorted(warm)


def report_cold_and_warm(label: str, colds: list[float], warm: list[float]) -> None:
    each = ", ".join(f"{c * 1000:.0f}" for c in colds)
    print(
        f"{label}: cold median {colds[len(colds) // 2] * 1000:.0f} ms (of {each}), "
        f"warm median {warm[len(warm) // 2] * 1000:.0f} ms, max {warm[-1] * 1000:.0f} ms"
    )


HOME_PARTS = {  # what the timed page must contain, so the figure is of the whole home
    "distributions": 'class="stack"',
    "movers": "变化最大",
    "key drivers": 'class="driver-bars"',
    "department response rates": 'class="rate-list"',
}


def results_home(app, client, campaign_id: int, api_cold: float) -> None:
    """The results home cold (no frames cached) and warm, against the results API's cold median of this run,
    and driver analysis of every respondent."""
    from analysis.drivers import relative_importance
    from app.extensions import db
    from app.models import Campaign
    from app.results.response_frames import campaign_data
    from surveys.scoring import driver_frame, driver_model

    colds, warm = cold_and_warm(client, f"/results/{campaign_id}")
    report_cold_and_warm("results home /results/<id>", colds, warm)
    print(f"results home cold / results API cold (this run): {colds[1] / api_cold:.2f}")
    page = client.get(f"/results/{campaign_id}").get_data(as_text=True)
    shown = {name: marker in page for name, marker in HOME_PARTS.items()}
    print("results home shows: " + ", ".join(f"{name} {'yes' if on else 'NO'}" for name, on in shown.items()))
    with app.app_context():
        data = campaign_data(db.session, db.session.get(Campaign, campaign_id))
        model = driver_model(data.definition)
        frame = driver_frame(model, data.scores)
        started = time.perf_counter()
        analysis = relative_importance(frame, model.outcome, model.predictors)
        seconds = time.perf_counter() - started
    print(
        f"driver analysis: {analysis.n} respondents × {len(model.predictors)} predictors "
        f"({2 ** len(model.predictors)} subset regressions) in {seconds * 1000:.0f} ms"
    )


def measure_only(database: Path) -> None:
    """For a baseline checkout: cold and warm of the results API on a prepared database."""
    from app import create_app

    app = create_app(bench_config(database))
    colds, warm = cold_and_warm(logged_in(app), "/api/v1/campaigns/1/results?by=department&level=3")
    report_cold_and_warm("results API by=department (level 3)", colds, warm)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--baseline", help="git ref (e.g. the commit before the ledger) measured in the same run")
    parser.add_argument("--prepare-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare_only:
        prepare(args.prepare_only, args.responses)
        return
    if args.measure_only:
        measure_only(args.measure_only)
        return
    workdir = Path(tempfile.mkdtemp(prefix="cp-results-"))
    checkout = None
    if args.baseline:
        import subprocess

        checkout = workdir / "baseline"
        root = Path(__file__).resolve().parent.parent
        subprocess.run(
            ["git", "-C", str(root), "worktree", "add", "--detach", str(checkout), args.baseline],
            check=True,
            capture_output=True,
        )
        print(
            "baseline",
            args.baseline,
            "—",
            run_checkout(
                checkout, "--responses", str(args.responses), "--prepare-only", str(workdir / "baseline.sqlite")
            ).strip(),
        )
    try:
        measure(workdir, args.responses, checkout)
    finally:
        if checkout:
            subprocess.run(
                [
                    "git",
                    "-C",
                    str(Path(__file__).resolve().parent.parent),
                    "worktree",
                    "remove",
                    "--force",
                    str(checkout),
                ],
                check=False,
            )


def measure(workdir: Path, responses: int, checkout: Path | None) -> None:
    from app.extensions import db
    from app.models import Campaign

    app, campaign_id = prepare(workdir / "results.sqlite", responses)
    client = logged_in(app)
    url = f"/api/v1/campaigns/{campaign_id}/results?by=department&level=3"
    started = time.perf_counter()
    response = client.get(url)
    first = time.perf_counter() - started
    with app.app_context():
        from analysis.release import plan_step
        from app.results import releases

        campaign = db.session.get(Campaign, campaign_id)
        counts = releases.cell_counts(db.session, campaign)
        started = time.perf_counter()
        plan = plan_step(counts, [], campaign.release_step, campaign.min_group, campaign.min_group_text)
        planning = time.perf_counter() - started
    print(
        f"first read (cuts the release step and plans it): {first * 1000:.0f} ms; the ledger's plan of that step "
        f"alone: {planning * 1000:.0f} ms ({len(plan.decisions)} decisions over {len(counts)} cells); "
        f"{len(response.json['segments'])} segments"
    )
    ours, theirs = ([], []), ([], [])
    for _ in range(2 if checkout else 1):  # baseline, ours, baseline, ours: the machine's drift hits both
        if checkout:
            output = run_checkout(checkout, "--measure-only", str(workdir / "baseline.sqlite"))
            print("baseline —", output.strip())
            theirs[0].append(cold_median_of(output))
        colds, warm = cold_and_warm(client, url)
        report_cold_and_warm("results API by=department (level 3)", colds, warm)
        ours[0].append(colds[1])
        ours[1].append(warm[5])
    if checkout:
        ratio = sum(ours[0]) / sum(theirs[0])
        print(f"cold with the ledger / cold of the baseline (both rounds): {ratio:.2f}")
    started = time.perf_counter()
    assert client.get(url + "&include=negative_share").status_code == 200
    print(
        f"with include=negative_share (reads and scores every comment once): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms on a warm campaign"
    )
    print(f"peak RSS after results: {peak_rss_mb():.0f} MB")
    results_home(app, client, campaign_id, ours[0][-1])
    views, seconds = adversary_pass(client, campaign_id, 3)
    print(f"adversary pass: {views} views read in {seconds:.1f} s")
    started = time.perf_counter()
    response = client.get(f"/campaigns/{campaign_id}/export.xlsx")
    size = len(response.data)
    print(
        f"XLSX export: {time.perf_counter() - started:.1f} s, {size / 1e6:.1f} MB, status {response.status_code}; "
        f"peak RSS of the process {peak_rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
