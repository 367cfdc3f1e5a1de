"""Overview and heatmap in Chromium at phone and desktop widths: readable, no overflow, charts drawn."""

import struct

import pytest

from app.extensions import db
from app.staff import create_staff_user
from tests.e2e.conftest import assert_no_horizontal_overflow, log_in
from tests.web.results_helpers import campaign_with, readiness, satisfaction

PASSWORD = "manager password 1"


def png_size(path):
    with open(path, "rb") as handle:
        header = handle.read(24)
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("width", [375, 1280])
def test_overview_and_heatmap_screens(live_app, browser, tmp_path, width):
    with live_app.app_context():
        create_staff_user(db.session, "m@example.com", "manager", PASSWORD)
        campaign = campaign_with(
            [
                (20, "employee", "总部/华东区/杭州门店", "第一批", satisfaction(4, 9, 2)),
                (15, "manager", "总部/华南区/深圳门店", "第二批", satisfaction(2, 5, 4)),
                (2, "employee", "总部/华北区/北京门店", "第三批", satisfaction(1, 0, 1)),
            ]
        )
        campaign_id = campaign.id
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    base = live_app.config["LIVE_URL"]
    log_in(page, base, "m@example.com", PASSWORD)
    page.goto(f"{base}/results/{campaign_id}")
    assert "系统易用性 SUS" in page.text_content("main")
    assert_no_horizontal_overflow(page, width)
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    assert png_size(tmp_path / "overview.png")[0] == width

    page.goto(f"{base}/results/{campaign_id}/heatmap?level=3")
    assert_no_horizontal_overflow(page, width)
    assert page.locator("td.heat-suppressed").count() >= 1
    assert "不足 5 人" in page.text_content("table.heatmap")
    page.screenshot(path=str(tmp_path / "heatmap.png"), full_page=True)
    assert png_size(tmp_path / "heatmap.png")[0] == width

    page.goto(f"{base}/results/{campaign_id}/breakdown?by=role")
    page.wait_for_selector("[data-chart][data-rendered=true]", timeout=10_000)
    assert page.locator("[data-chart] svg").count() == 2  # SUS and eNPS: one chart per scale
    assert_no_horizontal_overflow(page, width)
    context.close()


def test_readiness_breakdown_charts_each_adkar_element_from_the_api(live_app, browser):
    with live_app.app_context():
        create_staff_user(db.session, "m@example.com", "manager", PASSWORD)
        campaign = campaign_with(
            [
                (12, "employee", "总部/华东区/杭州门店", "第一批", readiness(4)),
                (10, "manager", "总部/华南区/深圳门店", "第二批", readiness(2)),
            ],
            instrument="change-readiness",
        )
        campaign_id = campaign.id
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = live_app.config["LIVE_URL"]
    log_in(page, base, "m@example.com", PASSWORD)
    page.goto(f"{base}/results/{campaign_id}/breakdown?by=role")
    page.wait_for_selector("[data-chart][data-rendered=true]", timeout=10_000)
    series = page.evaluate("echarts.getInstanceByDom(document.querySelector('[data-chart]')).getOption().series")
    assert [item["value"] for item in series[0]["data"]] == [[4, 4, 4, 4, 4], [2, 2, 2, 2, 2]]
    context.close()
