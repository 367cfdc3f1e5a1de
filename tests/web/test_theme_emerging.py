"""Emerging themes: flagged on the themes page, asked by the results home, notified once to the committee's robot."""

import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Theme, ThemeRun, WebhookDelivery
from app.themes.emerging import emerging_themes, for_campaign, notify_emerging
from tests.servers import WebhookRobot
from tests.web.results_helpers import campaign_with
from tests.web.test_themes import commented_campaign, run_cli


@pytest.fixture
def robot():
    with WebhookRobot() as server:
        yield server


def hand_made_run(quarter: str, themes: list[tuple[str, str, int]]) -> ThemeRun:
    """A succeeded run of one quarter whose themes are (lineage, label, respondents)."""
    campaign = campaign_with([], quarter=quarter)
    run = ThemeRun(campaign_ids=[campaign.id], quarter=quarter, status="succeeded", params={"k_text": 10})
    db.session.add(run)
    db.session.flush()
    for rank, (lineage, label, respondents) in enumerate(themes):
        db.session.add(
            Theme(run_id=run.id, label=label, lineage=lineage, respondents=respondents, size=respondents, rank=rank)
        )
    db.session.commit()
    return run


def quarters():
    hand_made_run("2026Q3", [("approval", "审批太慢", 12), ("canteen", "食堂太贵", 4), ("ding", "DING太多", 20)])
    return hand_made_run(
        "2026Q4",
        [
            ("approval", "审批太慢", 18),  # +50 %
            ("ding", "DING太多", 25),  # +25 %
            ("training", "培训*不够*", 10),  # new, k_text respondents
            ("parking", "停车难", 9),  # new, below k_text
            ("canteen", "食堂太贵", 10),  # last quarter below k_text: new, not "grown from 4"
        ],
    )


def test_new_and_grown_themes_that_may_be_shown_are_emerging(app):
    run = quarters()
    found = {f.item.theme.lineage: (f.kind, f.previous) for f in emerging_themes(db.session, run)}
    assert found == {"approval": ("growing", 12), "training": ("new", None), "canteen": ("new", None)}
    assert {f.item.theme.lineage for f in for_campaign(db.session, run.campaign_ids[0])} == set(found)


def test_without_an_earlier_quarter_nothing_is_emerging(app):
    run = hand_made_run("2026Q4", [("training", "培训不够", 30)])
    assert emerging_themes(db.session, run) == []


def test_the_themes_page_flags_emerging_themes(client, login_as):
    run = quarters()
    login_as("manager")
    html = client.get(f"/themes/runs/{run.id}").get_data(as_text=True)
    assert html.count('data-emerging="new"') == 2 and html.count('data-emerging="growing"') == 1


def wait_for(robot, count, seconds=20):
    deadline = time.time() + seconds
    while len(robot.received) < count and time.time() < deadline:
        db.session.rollback()  # an open transaction of the test would hold SQLite's write lock from the jobs
        time.sleep(0.1)
    return robot.received


def test_each_emerging_theme_is_notified_once_to_the_robot(app, robot):
    app.config.update(NOTIFY_WEBHOOK_URL=robot.url, NOTIFY_RETRY_SECONDS=(1,))
    run = quarters()
    assert len(notify_emerging(db.session, run)) == 3
    texts = [body["markdown"]["text"] for _path, body, _at in wait_for(robot, 3)]
    assert len(texts) == 3 and any("培训\\*不够\\*" in text for text in texts)  # the label's markup escaped
    assert any("增长 50%" in text for text in texts)
    assert notify_emerging(db.session, run) == []
    time.sleep(0.5)
    assert len(robot.received) == 3


def test_a_theme_run_notifies_its_emerging_themes_once(app, runner, robot):
    app.config.update(NOTIFY_WEBHOOK_URL=robot.url, NOTIFY_RETRY_SECONDS=(1,))
    run_cli(runner, commented_campaign(seed=1, quarter="2026Q3").id)
    assert db.session.execute(select(WebhookDelivery)).first() is None  # no earlier quarter: nothing emerges
    q4 = commented_campaign(count=120, seed=2)
    _, second = run_cli(runner, q4.id)
    flagged = emerging_themes(db.session, db.session.get(ThemeRun, second["id"]))
    deliveries = db.session.execute(select(WebhookDelivery)).scalars().all()
    assert {d.once_key for d in deliveries} == {f"theme.emerging:2026Q4:{f.item.theme.lineage}" for f in flagged}
    assert len(wait_for(robot, len(deliveries))) == len(deliveries)
    run_cli(runner, q4.id, full=True)
    assert len(db.session.execute(select(WebhookDelivery)).scalars().all()) == len(deliveries)
