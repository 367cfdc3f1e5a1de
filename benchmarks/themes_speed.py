"""Theme speed at scale: 100,000 comments (sampled with replacement from the shopping reviews) from
stored answers to stored themes, by stage, with peak RSS; then 1,000 more comments and a refresh.

    .venv/bin/python benchmarks/themes_speed.py [--comments 100000] [--repeat 3]

The yardstick is measured in the same run: a plain single-process `jieba.lcut` pass (default mode,
dictionary loaded beforehand) over the same texts. Targets (issue 17): first run end to end ≤ 1.5× that
pass, refresh after +1,000 comments ≤ 0.15× the first run, peak RSS ≤ 1.5 GB. This machine's speed varies
from minute to minute: `--repeat N` measures N rounds (each a jieba pass, then a first run and a refresh
of a campaign of its own, with the dictionary loaded anew, deleted after its round) and prints the medians
of their ratios.
"""

import argparse
import importlib
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import jieba

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DATABASE = Path(tempfile.mkdtemp(prefix="cp-themes-")) / "themes.sqlite"
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"  # before the app's config reads it
# the app's package first, as in every process of the app: it sets NUMPY_MADVISE_HUGEPAGE before numpy loads
importlib.import_module("app")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks._data import data_file  # noqa: E402

DATA = data_file("shopping_reviews_5topics.csv")


def insert_comments(database: Path, campaign_id: int, texts: list[str], seed: int) -> None:
    import random

    rng = random.Random(seed)
    connection = sqlite3.connect(database)
    departments = [f"总部/区域{i}/门店{j}" for i in range(4) for j in range(5)]
    responses, answers = [], []
    for text in texts:
        response_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        responses.append(
            (
                response_id,
                campaign_id,
                "2026-11-20",
                rng.choice(["employee", "manager"]),
                rng.choice(departments),
                "第一批",
                0,
                None,
                0,  # released: a run groups only the comments of released steps (campaign step 0 at first)
            )
        )
        answers.append((uuid.UUID(int=rng.getrandbits(128)).hex, response_id, "trouble", None, text))
    connection.executemany(
        "INSERT INTO responses (id, campaign_id, submitted_on, role, department_path, wave, via_open_link, "
        "receipt_hash, release_step) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        responses,
    )
    connection.executemany(
        "INSERT INTO answers (id, response_id, question_code, value_number, value_text) VALUES (?, ?, ?, ?, ?)", answers
    )
    connection.commit()
    connection.close()


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def hugepage_advice() -> str:
    """Whether numpy marks large arrays MADV_HUGEPAGE in this process (a private numpy function)."""
    getter = getattr(getattr(np, "_core", None), "multiarray", None)
    getter = getattr(getter, "_get_madvise_hugepage", None)
    return "unknown" if getter is None else ("on" if getter() else "off")


def jieba_pass_seconds(texts: list[str]) -> float:
    """One plain single-process jieba.lcut pass (dictionary loaded before the clock starts)."""
    jieba.initialize()
    started = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    return time.perf_counter() - started


def timed_run(campaign_id: int, label: str) -> float:
    """One theme run of the campaign, end to end, printed with its stages."""
    from app.extensions import db
    from app.models import ThemeRun
    from app.themes.runs import create_run, execute_run

    run = create_run(db.session, [campaign_id])
    started = time.perf_counter()
    execute_run(run.id)
    total = time.perf_counter() - started
    run = db.session.get(ThemeRun, run.id)
    stages = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in run.timings.items())
    print(
        f"  {label}: {total:.1f} s end to end ({run.status}; {stages}; k={run.params.get('k')}, "
        f"{len(run.themes)} themes); peak RSS {peak_rss_mb():.0f} MB",
        flush=True,
    )
    if run.status != "succeeded":
        print("error:", run.error)
    return total


def forget_round(campaign_id: int) -> None:
    """The round's campaign, its comments, tokens and runs deleted (cascading), so that the next round starts
    from the same database as the first did instead of a larger one."""
    from sqlalchemy import delete

    from app.extensions import db
    from app.models import Campaign, ThemeRun

    db.session.commit()
    db.session.execute(delete(ThemeRun))
    db.session.execute(delete(Campaign).where(Campaign.id == campaign_id))
    db.session.commit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of (jieba pass, first run, refresh); medians of their ratios"
    )
    args = parser.parse_args()
    texts = pd.read_csv(DATA).text.astype(str).sample(args.comments + 1000, replace=True, random_state=0).tolist()
    print(f"{args.comments} comments, {sum(map(len, texts[: args.comments])) / 1e6:.2f} M characters")
    setting = os.environ.get("NUMPY_MADVISE_HUGEPAGE")
    print(f"numpy hugepage advice: {hugepage_advice()} (NUMPY_MADVISE_HUGEPAGE={setting})")
    from flask_migrate import upgrade

    from analysis.text import tokenise
    from app import create_app
    from app.campaigns.service import CampaignSpec, create_campaign
    from app.extensions import db
    from app.instruments import latest_version

    rounds = []
    app = create_app("development")
    with app.app_context():
        upgrade()
        version = latest_version(db.session, "quarterly-satisfaction")
        for round_ in range(1, args.repeat + 1):
            print(f"round {round_} of {args.repeat}:")
            baseline = jieba_pass_seconds(texts[: args.comments])
            print(f"  plain single-process jieba.lcut pass: {baseline:.1f} s", flush=True)
            spec = CampaignSpec(instrument_version_id=version.id, quarter="2026Q4", title=f"基准 {round_}")
            campaign_id = create_campaign(db.session, spec)[0].id
            db.session.commit()
            insert_comments(DATABASE, campaign_id, texts[: args.comments], seed=2 * round_)
            tokenise._tokeniser_of.cache_clear()  # a first run loads the dictionary, as in a fresh worker process
            first = timed_run(campaign_id, "first run")
            db.session.commit()
            insert_comments(DATABASE, campaign_id, texts[args.comments :], seed=2 * round_ + 1)
            refresh = timed_run(campaign_id, "refresh (+1,000 comments)")
            rounds.append((baseline, first, refresh))
            print(f"  first run / jieba pass {first / baseline:.2f}x; refresh / first run {refresh / first:.2f}x")
            forget_round(campaign_id)
    baselines, firsts, refreshes = zip(*rounds)
    ratios = [first / baseline for baseline, first, _ in rounds]
    refresh_ratios = [refresh / first for _, first, refresh in rounds]
    print(
        f"median of {len(rounds)}: jieba pass {statistics.median(baselines):.1f} s, first run "
        f"{statistics.median(firsts):.1f} s, refresh {statistics.median(refreshes):.1f} s; first run / jieba pass "
        f"{statistics.median(ratios):.2f}x (rounds {', '.join(f'{r:.2f}' for r in ratios)}; target ≤ 1.5x); "
        f"refresh / first run {statistics.median(refresh_ratios):.2f}x (target ≤ 0.15x); "
        f"peak RSS {peak_rss_mb():.0f} MB (target ≤ 1536 MB)"
    )


if __name__ == "__main__":
    main()
