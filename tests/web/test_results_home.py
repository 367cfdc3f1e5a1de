"""The results home and driver analysis read released figures only (the release ledger's step)."""

import re

from app.extensions import db
from app.people.directory import apply_import
from app.people.importer import PersonRow
from tests.web.respond_helpers import make_campaign
from tests.web.results_helpers import add_responses, campaign_with, satisfaction

EAST = "总部/华东区/杭州门店"
SOUTH = "总部/华南区/深圳门店"
NORTH = "总部/华北区/北京门店"
MODULES = ("attendance", "approval", "log", "drive", "message", "training")


def answers(approval=3, enps=8, sus_value=3, **modules):
    """Every satisfaction item answered: the modules 3 unless given."""
    values = satisfaction(sus_value, enps, approval)
    values.update({f"mod_{m}": modules.get(m, 3) for m in MODULES if m != "approval"})
    return values


def stacked_labels(page):
    """The stacked bars' accessible labels by the score (or item) they show."""
    rows = re.findall(
        r'<span class="dist-label[^"]*">([^<]+)</span>\s*<span class="stack" role="img" aria-label="([^"]+)"', page
    )
    return dict(rows)


def home(client, campaign):
    response = client.get(f"/results/{campaign.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_scale_shows_its_favourable_neutral_and_unfavourable_shares(client, login_as):
    campaign = campaign_with(
        [(6, "employee", EAST, "第一批", answers(approval=5, enps=10)), (4, "employee", EAST, "第一批", answers(1, 3))]
    )
    login_as("manager")
    labels = stacked_labels(home(client, campaign))
    assert labels["推荐值 eNPS"] == "正面 60%，中立 0%，负面 40%"  # 6 promoters, 4 detractors
    assert labels["审批"] == "正面 60%，中立 0%，负面 40%"  # 5 is favourable, 1 unfavourable
    assert labels["考勤打卡"] == "正面 0%，中立 100%，负面 0%"  # everyone answered 3
    assert labels["我愿意经常使用这个系统。"] == "正面 0%，中立 100%，负面 0%"  # SUS items, on drill-down


def test_the_home_ignores_answers_not_yet_released(client, login_as):
    campaign = campaign_with([(10, "employee", EAST, "第一批", answers(approval=5))])
    login_as("manager")
    before = stacked_labels(home(client, campaign))
    add_responses(campaign, [(4, "employee", EAST, "第一批", answers(approval=1))])
    after = home(client, campaign)
    assert stacked_labels(after) == before
    assert "166" not in after and ">10<" in after  # the released respondents, not the 14 that answered


def test_movers_are_the_biggest_changes_against_last_quarter_with_their_significance(client, login_as):
    campaign_with([(20, "employee", EAST, "第一批", answers(approval=1, drive=3))], quarter="2026Q3")
    campaign = campaign_with([(20, "employee", EAST, "第一批", answers(approval=5, drive=4))])
    login_as("manager")
    page = home(client, campaign)
    movers = page.split("变化最大", 1)[1].split("</article>", 1)[0]
    assert movers.index("审批") < movers.index("钉盘/文档")
    assert "+100 个百分点" in movers and "显著" in movers


def test_strengths_and_focus_areas_are_the_items_furthest_from_the_mean(client, login_as):
    favourable = {"attendance": 4, "log": 4, "drive": 4, "message": 4}
    campaign = campaign_with(
        [
            (6, "employee", EAST, "第一批", answers(approval=1, training=5, sus_value=4, **favourable)),
            (6, "employee", EAST, "第一批", answers(approval=1, training=5, sus_value=3)),
        ]
    )
    login_as("manager")
    page = home(client, campaign)
    strengths = page.split("<h2>优势</h2>", 1)[1].split("<h2>待改进</h2>", 1)[0]
    focus = page.split("<h2>待改进</h2>", 1)[1].split("</article>", 1)[0]
    assert "培训支持" in strengths and "审批" not in strengths
    assert "审批" in focus and "培训支持" not in focus


def test_response_rates_list_exactly_the_departments_whose_figures_are_released(client, login_as):
    people = [(EAST, 20), (SOUTH, 15), (NORTH, 4)]
    rows, start = [], 1
    for department, count in people:
        rows += [
            PersonRow(i, f"P{i:04d}", f"员工{i}", None, department, "employee", "第一批")
            for i in range(start, start + count)
        ]
        start += count
    apply_import(db.session, rows)
    db.session.commit()
    campaign, _ = make_campaign(people=0)
    add_responses(
        campaign,
        [
            (12, "employee", EAST, "第一批", answers()),
            (8, "employee", SOUTH, "第一批", answers()),
            (2, "employee", NORTH, "第一批", answers()),
        ],
    )
    login_as("manager")
    rates = home(client, campaign).split("各部门回收率", 1)[1].split("</section>", 1)[0]
    listed = re.findall(r'class="rate-label data">([^<]+)<', rates)
    api = client.get(f"/api/v1/campaigns/{campaign.id}/results?by=department&level=2").json
    released = {s["key"]: s["n"] for s in api["segments"] if not s["suppressed"]}
    assert released and set(listed) == set(released) and "总部/华北区" not in listed
    invited = {"总部/华东区": 20, "总部/华南区": 15}
    for department, n in released.items():
        assert f"{n} / {invited[department]}" in rates


def driver_campaign(count=40):
    """Recommendation goes with approvals (5 → 10, 1 → 2); training varies without going with it."""
    half = count // 2
    return campaign_with(
        [
            (half // 2, "employee", EAST, "第一批", answers(approval=5, enps=10, training=2)),
            (half - half // 2, "employee", EAST, "第一批", answers(approval=5, enps=10, training=4)),
            (half // 2, "manager", SOUTH, "第二批", answers(approval=1, enps=2, training=2)),
            (half - half // 2, "manager", SOUTH, "第二批", answers(approval=1, enps=2, training=4)),
        ]
    )


def test_drivers_name_what_goes_with_recommendation_in_a_plain_sentence(client, login_as):
    campaign = driver_campaign()
    login_as("manager")
    page = client.get(f"/results/{campaign.id}/drivers").get_data(as_text=True)
    assert "对推荐意愿影响最大的是审批（占可解释部分的 100%）" in page
    assert "Shapley" in page and "LMG" in page and "40 人" in page
    assert "对推荐意愿影响最大的是审批" in home(client, campaign)


def test_drivers_need_a_released_group_of_thirty(client, login_as):
    campaign = driver_campaign(count=24)
    login_as("manager")
    page = client.get(f"/results/{campaign.id}/drivers").get_data(as_text=True)
    assert "至少 30 人的群体" in page and "影响最大的是" not in page


def test_drivers_of_a_group_below_thirty_or_not_released_are_refused(client, login_as):
    campaign = driver_campaign()
    login_as("manager")
    for group in ("role=manager", "role=executive", "dept_3=" + EAST, "nonsense"):
        page = client.get(f"/results/{campaign.id}/drivers", query_string={"group": group}).get_data(as_text=True)
        assert "至少 30 人的群体" in page and "影响最大的是" not in page


def test_drivers_use_only_released_respondents(client, login_as):
    campaign = driver_campaign()
    login_as("manager")
    first = client.get(f"/results/{campaign.id}/drivers").get_data(as_text=True)
    assert "再有 5 人作答后更新" in first
    add_responses(campaign, [(4, "employee", EAST, "第一批", answers(approval=1, enps=10, training=5))])
    again = client.get(f"/results/{campaign.id}/drivers").get_data(as_text=True)
    assert "40 人" in again and "占可解释部分的 100%" in again

    def analysis(page):
        return page.split('<p class="headline">', 1)[1].split("</main>", 1)[0]

    assert analysis(first) == analysis(again)
