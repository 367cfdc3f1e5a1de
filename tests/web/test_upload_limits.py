"""Uploads cannot exhaust the server (issue 13, break 9): every spreadsheet upload — the people import and
the usage-metrics import, each through its page and its CLI command — refuses a decompression bomb
before parsing it, with a message in the user's language, writing nothing, in a process that stays under
300 MB. Each upload runs in a process of its own so its peak RSS is its alone; the time is printed
(`pytest -s`), not asserted — benchmarks/upload_limits.py measures it.
"""

import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.metrics.importer import METRICS_LIMITS
from app.models import AuditLog, Person, UsageMetric
from app.people.importer import PEOPLE_LIMITS
from tests.builders import csv_bytes, person_rows
from tests.conftest import csrf_token_from
from tests.upload_bombs import (
    METRICS_HEADER,
    METRICS_ROW,
    probe_env,
    run_measured,
    unpacked_size,
    xlsx_bomb,
)

MEMORY_LIMIT_MB = 300  # the whole worker process, as issue 13 asks
REQUEST_GROWTH_LIMIT_MB = 50  # what the refused upload itself may add (the old code added ~1.9 GB)
BOMB_ROWS = 3_000_000


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    return {
        "people": xlsx_bomb(folder / "名单.xlsx", BOMB_ROWS),
        "metrics": xlsx_bomb(folder / "使用数据.xlsx", BOMB_ROWS, header=METRICS_HEADER, row=METRICS_ROW),
    }


def test_the_bombs_are_what_break_9_describes(bombs):
    for bomb in bombs.values():
        assert bomb.stat().st_size < 1_100_000 and unpacked_size(bomb) > 180_000_000


@pytest.fixture
def admin(make_staff):
    return make_staff("admin", email="admin@example.com")


def upload(client, endpoint: str, content: bytes, filename: str, **fields):
    token = csrf_token_from(client.get(endpoint).get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(content), filename), **fields}
    return client.post(endpoint, data=data, content_type="multipart/form-data")


def nothing_written() -> bool:
    counts = [
        db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Person, UsageMetric, AuditLog)
    ]
    audit = db.session.execute(select(AuditLog.action)).scalars().all()
    return counts[:2] == [0, 0] and not [a for a in audit if a.endswith(".import")]


def through_the_page(app, endpoint: str, file: Path, *extra: str):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.commit()
    return run_measured(["page", url, endpoint, str(file), *extra], probe_env(url))


def through_the_cli(app, *args: str):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.commit()
    return run_measured(["cli", "--app", "app", *args], probe_env(url))


def page_outcome(name: str, measured) -> dict:
    assert measured.returncode == 0, measured.output
    outcome = json.loads(next(line for line in measured.output.splitlines() if line.startswith("{")))
    growth = measured.peak_rss_mb - outcome["rss_before_mb"]
    print(
        f"\n{name}: answered {outcome['status']} in {outcome['seconds']:.3f} s; process peak RSS "
        f"{measured.peak_rss_mb:.0f} MB, {growth:.0f} MB of it during the request"
    )
    assert measured.peak_rss_mb < MEMORY_LIMIT_MB and growth < REQUEST_GROWTH_LIMIT_MB
    return outcome


def cli_outcome(name: str, measured) -> str:
    print(
        f"\n{name}: exit {measured.returncode} after {measured.seconds:.2f} s (start-up included), peak RSS "
        f"{measured.peak_rss_mb:.0f} MB"
    )
    assert measured.peak_rss_mb < MEMORY_LIMIT_MB
    return measured.output


def test_people_import_page_refuses_the_bomb(app, admin, bombs):
    outcome = page_outcome("people page", through_the_page(app, "/admin/people/import", bombs["people"]))
    assert outcome["status"] == 200 and "解压后" in outcome["errors"][0]
    assert nothing_written()


def test_people_import_cli_refuses_the_bomb(app, bombs):
    measured = through_the_cli(app, "people", "import", str(bombs["people"]))
    output = cli_outcome("people CLI", measured)
    assert measured.returncode == 1 and "解压后" in output and "未写入任何数据" in output
    assert nothing_written()


def test_metrics_import_page_refuses_the_bomb(app, admin, bombs):
    outcome = page_outcome("metrics page", through_the_page(app, "/admin/metrics", bombs["metrics"], "2026Q4"))
    assert outcome["status"] == 200 and "解压后" in outcome["errors"][0]
    assert nothing_written()


def test_metrics_import_cli_refuses_the_bomb(app, bombs):
    measured = through_the_cli(app, "metrics", "import", str(bombs["metrics"]), "--quarter", "2026Q4")
    output = cli_outcome("metrics CLI", measured)
    assert measured.returncode == 1 and "解压后" in output and "未写入任何数据" in output
    assert nothing_written()


def test_the_refusal_is_in_english_in_the_english_ui(client, login_as, bombs):
    login_as("admin")
    page = client.get("/admin/people/import").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token_from(page)})
    html = upload(client, "/admin/people/import", bombs["people"].read_bytes(), "people.xlsx").get_data(as_text=True)
    message = re.search(r'<ul class="error-list" role="alert">\s*<li>(.*?)</li>', html, re.S).group(1)
    assert "unpacks to" in message and not re.search(r"[\u4e00-\u9fff]", message)
    assert nothing_written()


def test_a_people_csv_one_row_past_the_limit_is_refused_by_the_cli(runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(person_rows(PEOPLE_LIMITS.max_rows + 1)))
    result = runner.invoke(args=["people", "import", str(path)])
    assert result.exit_code == 1 and "文件超过 200,000 行" in result.output
    assert nothing_written()


def test_a_metrics_sheet_one_row_past_the_limit_is_refused_by_the_page(client, login_as, tmp_path):
    login_as("admin")
    path = xlsx_bomb(tmp_path / "m.xlsx", METRICS_LIMITS.max_rows + 1, METRICS_HEADER, METRICS_ROW, numbered=True)
    html = upload(client, "/admin/metrics", path.read_bytes(), "m.xlsx", quarter="2026Q4").get_data(as_text=True)
    assert "文件超过 10,000 行" in html
    assert nothing_written()


def test_the_cli_refuses_a_file_over_50_mb_reading_no_further(runner, tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.truncate(PEOPLE_LIMITS.max_bytes * 4)  # 200 MB, sparse: nothing is written to disk
    result = runner.invoke(args=["people", "import", str(path)])
    assert result.exit_code == 1 and "文件超过 50 MB" in result.output
    assert nothing_written()
