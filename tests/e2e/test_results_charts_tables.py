"""Results home, heatmap, breakdown and trend at 375 and 1280 px: first columns never wrap per character,
no chart has two value axes, the page never overflows. Screenshots go to tmp_path (and to
$E2E_SCREENSHOTS when set, to look at)."""

import os
import shutil

import pytest

from app.extensions import db
from app.staff import create_staff_user
from tests.e2e.conftest import assert_no_horizontal_overflow, log_in
from tests.web.results_helpers import campaign_with, readiness, satisfaction

PASSWORD = "manager password 1"
LONG = "总部/华东区/杭州西湖文化广场旗舰门店"

LINES_PER_CELL = """(selector) => [...document.querySelectorAll(selector)].map((cell) => {
  const range = document.createRange();
  const tops = new Set();
  let chars = 0;
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (let i = 0; i < node.length; i++) {
      if (!node.data[i].trim()) continue;
      range.setStart(node, i); range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      if (box.width) { tops.add(Math.round(box.top)); chars++; }
    }
  }
  return { text: cell.textContent.trim(), chars, lines: tops.size };
})"""

CHART_AXES = """() => [...document.querySelectorAll('[data-chart]')].map((el) => {
  const option = echarts.getInstanceByDom(el).getOption();
  return { kind: el.dataset.chart, y: (option.yAxis || []).length, x: (option.xAxis || []).length,
           valueAxes: [...(option.yAxis || []), ...(option.xAxis || [])].filter((a) => a.type === 'value').length,
           series: option.series.length };
})"""


def assert_no_per_character_wrapping(page, selector):
    cells = page.evaluate(LINES_PER_CELL, selector)
    assert cells, f"{page.url}: no {selector}"
    for cell in cells:
        # a cell may wrap at whole words; per-character wrapping would put 1–2 characters on a line
        assert cell["lines"] <= max(1, -(-cell["chars"] // 4)), f"{page.url}: {cell}"


def assert_one_value_axis_per_chart(page):
    page.wait_for_function(
        # a function, not an expression string: Playwright evaluates strings with eval, which the CSP refuses
        "() => [...document.querySelectorAll('[data-chart]')].every((el) => el.dataset.rendered === 'true')",
        timeout=10_000,
    )
    charts = page.evaluate(CHART_AXES)
    assert charts, f"{page.url}: no chart"
    for chart in charts:
        assert chart["y"] <= 1 and chart["x"] <= 1 and chart["valueAxes"] <= 1, f"{page.url}: {chart}"
    return charts


def shoot(page, tmp_path, name):
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("E2E_SCREENSHOTS"):
        os.makedirs(os.environ["E2E_SCREENSHOTS"], exist_ok=True)
        shutil.copy(path, os.path.join(os.environ["E2E_SCREENSHOTS"], path.name))


@pytest.fixture
def campaigns(live_app):
    with live_app.app_context():
        create_staff_user(db.session, "m@example.com", "manager", PASSWORD)
        campaign_with([(20, "employee", LONG, "第一批", satisfaction(3, 6, 2))], quarter="2026Q3")
        satisfaction_now = campaign_with(
            [
                (20, "employee", LONG, "第一批", satisfaction(4, 9, 2)),
                (15, "manager", "总部/华南区/深圳门店", "第二批", satisfaction(2, 3, 4)),
                (12, "executive", "总部/华北区/北京门店", "第三批", satisfaction(3, 0, 3)),
                (2, "employee", "总部/西南区/成都门店", "第三批", satisfaction(1, 0, 1)),
            ]
        )
        campaign_with([(15, "employee", LONG, "第一批", readiness(3))], instrument="change-readiness", quarter="2026Q3")
        readiness_now = campaign_with(
            [
                (14, "employee", LONG, "第一批", readiness(4)),
                (12, "manager", "总部/华南区/深圳门店", "第二批", readiness(2)),
            ],
            instrument="change-readiness",
        )
        return {"satisfaction": satisfaction_now.id, "readiness": readiness_now.id}


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("instrument", ["satisfaction", "readiness"])
def test_result_screens_wrap_whole_words_and_draw_one_scale_per_chart(
    live_app, browser, tmp_path, campaigns, width, instrument
):
    campaign_id = campaigns[instrument]
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    base = live_app.config["LIVE_URL"]
    log_in(page, base, "m@example.com", PASSWORD)

    page.goto(f"{base}/results/{campaign_id}")
    assert page.locator(".stack").count() >= 5
    assert_no_per_character_wrapping(page, ".dist-row > .dist-label")
    assert_no_horizontal_overflow(page, width)
    shoot(page, tmp_path, f"{instrument}-overview-{width}")

    for view, path in (
        ("heatmap", "/heatmap?level=3"),
        ("breakdown", "/breakdown?by=department&level=3"),
        ("trend", "/breakdown?by=quarter"),
    ):
        page.goto(f"{base}/results/{campaign_id}{path}")
        if view != "heatmap":
            charts = assert_one_value_axis_per_chart(page)
            if instrument == "satisfaction":
                assert len(charts) == 2, "SUS and eNPS each get their own chart"
        assert_no_per_character_wrapping(page, "table.results-table th:first-child")
        assert_no_horizontal_overflow(page, width)
        shoot(page, tmp_path, f"{instrument}-{view}-{width}")
    context.close()


def test_enps_bars_diverge_from_zero(live_app, browser, campaigns):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = live_app.config["LIVE_URL"]
    log_in(page, base, "m@example.com", PASSWORD)
    page.goto(f"{base}/results/{campaigns['satisfaction']}/breakdown?by=role")
    assert_one_value_axis_per_chart(page)
    enps = page.evaluate(
        "(() => { const el = [...document.querySelectorAll('[data-chart]')]"
        ".find((e) => e.dataset.labels.includes('eNPS'));"
        " const o = echarts.getInstanceByDom(el).getOption(); return {axis: o.xAxis[0], data: o.series[0].data}; })()"
    )
    assert enps["axis"]["min"] == -100 and enps["axis"]["max"] == 100
    values = [point["value"] if isinstance(point, dict) else point for point in enps["data"]]
    assert min(values) < 0 < max(values)  # the detractors' group is drawn left of zero, not as a tall bar
    context.close()
