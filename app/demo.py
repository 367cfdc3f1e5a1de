"""A believable demo: about 300 people in a three-level organisation, staff accounts, and two quarters
of both surveys with realistic Chinese comments, so a newcomer sees a living product.

Deterministic (seeded), so screenshots and tests see the same data every time.
"""

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from analysis.quarters import Quarter
from app.campaigns.service import CampaignSpec, change_status, create_campaign, issue_invitations
from app.demo_comments import demo_comment
from app.instruments import latest_version
from app.models import Campaign
from app.people.directory import apply_import
from app.people.importer import PersonRow
from app.respond.service import Respondent, submit_response
from surveys.forms import StoredAnswer

REGIONS = {
    "华东区": ["杭州门店", "上海门店", "南京门店", "区域办公室"],
    "华南区": ["广州门店", "深圳门店", "区域办公室"],
    "华北区": ["北京门店", "天津门店", "区域办公室"],
}
HEADQUARTERS = ["财务部", "人力资源部", "信息技术部", "运营管理部"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬辉鹏飞宇浩然思雨欣怡子轩梓涵一诺佳琪晨曦雪梅建国志强海燕文博晓东丹丹"
QUARTERS = (("2026Q3", date(2026, 9, 15), "closed"), ("2026Q4", date(2026, 11, 16), "open"))
STAFF = (("manager@example.com", "manager", "变革经理"), ("committee@example.com", "committee", "改进委员会委员"))


def demo_people(seed: int = 2026, size: int = 300) -> list[PersonRow]:
    rng = random.Random(seed)
    units = [f"总部/{region}/{unit}" for region, items in REGIONS.items() for unit in items]
    units += [f"总部/总部职能/{dept}" for dept in HEADQUARTERS]
    weights = [14 if "门店" in u else 5 for u in units]
    rows = []
    for index in range(size):
        department = rng.choices(units, weights)[0]
        in_store = "门店" in department
        role = rng.choices(
            ["employee", "manager", "executive", "digital_admin"], [80, 15, 1, 4] if in_store else [45, 30, 10, 15]
        )[0]
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
        region = department.split("/")[1]
        wave = {"华东区": "第一批", "总部职能": "第一批", "华南区": "第二批"}.get(region, "第三批")
        employee_id = f"E{10001 + index}"
        rows.append(
            PersonRow(
                row_number=index + 2,
                employee_id=employee_id,
                name=name,
                email=f"{employee_id.lower()}@example.com",
                department=department,
                role=role,
                wave=wave,
            )
        )
    return rows


def seed_people(session, seed: int = 2026, size: int = 300):
    return apply_import(session, demo_people(seed, size))


@dataclass
class Mood:
    """How a person of a segment feels in a quarter: a shift on every 1–5 answer."""

    satisfaction: float
    readiness: float


def mood_of(person, quarter_index: int) -> Mood:
    region = person.department.path.split("/")[1]
    satisfaction = {"华东区": 0.4, "总部职能": 0.5, "华南区": -0.3, "华北区": -0.6}.get(region, 0)
    readiness = satisfaction + {"employee": -0.3, "manager": 0.2, "executive": 0.6, "digital_admin": 0.8}[person.role]
    improvement = 0.35 * quarter_index
    return Mood(satisfaction + improvement, readiness + improvement)


def _likert(rng: random.Random, centre: float, low: int = 1, high: int = 5) -> float:
    return float(min(high, max(low, round(rng.gauss(centre, 0.9)))))


def demo_answers(rng: random.Random, definition, mood: Mood, quarter_index: int) -> list[StoredAnswer]:
    answers: list[StoredAnswer] = []
    for question in definition.questions:
        code = question.code
        if question.type == "text":
            if rng.random() < 0.7:
                theme_weights = None
                if quarter_index == 1:  # attendance was fixed between the quarters; approvals were not
                    theme_weights = {
                        "approval": 11,
                        "attendance": 1.5,
                        "messages": 8,
                        "training": 5,
                        "reports": 5,
                        "performance": 3,
                        "drive": 3,
                    }
                answers.append((code, None, demo_comment(rng, negativity=0.8, theme_weights=theme_weights)))
            continue
        if code.startswith("sus"):
            positive = int(code[3:]) % 2 == 1
            centre = 3.2 + mood.satisfaction if positive else 2.8 - mood.satisfaction
        elif code == "enps":
            answers.append((code, float(min(10, max(0, round(rng.gauss(6.5 + 1.5 * mood.satisfaction, 2))))), None))
            continue
        elif code == "mod_approval":
            centre = 2.4 + mood.satisfaction * 0.5
        elif code == "mod_attendance":
            centre = 2.6 + mood.satisfaction + (1.0 if quarter_index else 0)
        elif code.startswith("mod_"):
            centre = 3.3 + mood.satisfaction
        elif code.startswith(("routine", "emotional", "short_term", "cognitive")):
            centre = 3.0 - mood.readiness
        elif code.startswith("knowledge"):
            centre = 3.0 + mood.readiness * 0.8
        elif code.startswith("ability"):
            centre = 3.2 + mood.readiness
        else:
            centre = 3.7 + mood.readiness
        answers.append((code, _likert(rng, centre), None))
    return answers


def seed_surveys(session, seed: int = 7, response_rates=(0.72, 0.61)) -> list[Campaign]:
    """Two quarters × both instruments; Q3 closed, Q4 open. Responses go through the real service."""
    rng = random.Random(seed)
    campaigns = []
    for quarter_index, (quarter, day, status) in enumerate(QUARTERS):
        for slug, title in (("quarterly-satisfaction", "满意度调查"), ("change-readiness", "变革准备度调查")):
            version = latest_version(session, slug)
            spec = CampaignSpec(
                instrument_version_id=version.id,
                quarter=quarter,
                title=Quarter.parse(quarter).label("zh") + title,
                departments=[],
                roles=[],
                waves=[],
                opens_at=datetime(day.year, day.month, day.day, 9),
                closes_at=None,
            )
            campaign, _ = create_campaign(session, spec)
            issued = issue_invitations(session, campaign)
            session.commit()
            from app.instruments import instrument_for

            definition = instrument_for(version)
            for person, _token in issued:
                if rng.random() > response_rates[quarter_index]:
                    continue
                invitation_id = _invitation_id(session, campaign.id, person.id)
                answers = demo_answers(rng, definition, mood_of(person, quarter_index), quarter_index)
                submit_response(session, Respondent(campaign.id, invitation_id), answers, submitted_on=day)
            if status == "closed":
                change_status(session, campaign, "closed", now=datetime(day.year, day.month, day.day + 10, 18))
            session.commit()
            campaigns.append(campaign)
    return campaigns


def _invitation_id(session, campaign_id: int, person_id: int) -> int:
    from sqlalchemy import select

    from app.models import Invitation

    return session.execute(
        select(Invitation.id).where(Invitation.campaign_id == campaign_id, Invitation.person_id == person_id)
    ).scalar_one()


def seed_staff(session, password: str | None = None) -> tuple[list[str], str]:
    """Demo manager and committee accounts sharing one password (printed once by the CLI)."""
    from sqlalchemy import select

    from app.models import StaffUser
    from app.staff import create_staff_user

    password = password or secrets.token_urlsafe(12)
    created = []
    for email, role, name in STAFF:
        if session.execute(select(StaffUser.id).where(StaffUser.email == email)).first() is None:
            create_staff_user(session, email, role, password, name=name)
            created.append(email)
    return created, password


def seed_loop(session) -> str | None:
    """Theme runs for both quarters' satisfaction surveys and suggestions at every stage, published.

    The attendance complaints of 2026Q3 became a change implemented in October, between the two surveys, so
    the board shows its effect (2026Q3 → 2026Q4); the 2026Q4 themes became suggestions decided in November.
    Returns a receipt code of one demo response whose comment feeds a published suggestion.
    """
    from sqlalchemy import select

    from app.models import StaffUser
    from app.themes.runs import create_run, execute_run

    committee = session.execute(select(StaffUser).where(StaffUser.role == "committee")).scalars().first()
    actor = committee.id if committee else None
    runs = []
    for campaign in session.execute(select(Campaign).order_by(Campaign.quarter)).scalars().all():
        if campaign.instrument_version.instrument.slug == "quarterly-satisfaction":
            run = create_run(session, [campaign.id])
            execute_run(run.id)
            runs.append(session.get(type(run), run.id))
    if not runs or runs[-1].status != "succeeded":
        return None
    fixed = _seed_fixed_between_quarters(session, runs[0], actor) if len(runs) > 1 else None
    receipt = None
    for theme in _open_themes(session, runs[-1]):
        if fixed is not None and _about(theme, FIXED_BETWEEN_QUARTERS[0]):
            continue  # the change made in October answers these
        status, note = _demo_decision(theme.keywords)
        _decided_suggestion(session, [theme], _demo_module(theme.keywords), status, note, "2027Q1", actor)
        if receipt is None:
            receipt = _receipt_for(session, theme)
    create_suggestion_from_box(session)
    _date_suggestions(session, skip=fixed)
    if fixed is not None:
        _date_events(fixed, FIXED_DAYS)
    session.commit()
    return receipt


def _open_themes(session, run) -> list:
    """The run's themes a suggestion may come from: shown under the run's text threshold, not other or noise."""
    from app.themes.released import theme_as_shown

    return [
        t
        for t in run.themes
        if not t.is_other and not t.is_noise and t.merged_into_id is None and theme_as_shown(session, t).release.shown
    ]


def _about(theme, words) -> bool:
    return any(word in theme.keywords for word in words)


DEMO_PATHS = {
    "implemented": ["under_review", "adopted", "in_progress", "implemented"],
    "adopted": ["under_review", "adopted"],
    "in_progress": ["under_review", "adopted", "in_progress"],
    "under_review": ["under_review"],
    "declined": ["under_review", "declined"],
}


def _decided_suggestion(session, themes, module, status, note, target, actor):
    """A published suggestion from `themes`, taken through the committee's workflow to `status`."""
    from app.committee.service import create_suggestion, publish, theme_draft
    from app.committee.workflow import Decision, transition
    from app.themes.released import theme_as_shown

    suggestion = create_suggestion(
        session,
        f"改进：{themes[0].display_label}",
        theme_draft(theme_as_shown(session, themes[0]))["description"],
        module,
        actor,
        source="theme",
        theme_ids=[theme.id for theme in themes],
    )
    for step in DEMO_PATHS[status]:
        noted = note if step in ("declined", "implemented", "adopted") else None
        transition(session, suggestion, Decision(step, noted, actor, target), actor)
    publish(session, suggestion, actor)
    return suggestion


def _seed_fixed_between_quarters(session, run, actor):
    """The 2026Q3 attendance themes, made into one suggestion implemented in October (before 2026Q4's survey)."""
    words, note, module = FIXED_BETWEEN_QUARTERS
    if run.status != "succeeded":
        return None
    themes = sorted((t for t in _open_themes(session, run) if _about(t, words)), key=lambda t: -t.respondents)
    if not themes:
        return None
    return _decided_suggestion(session, themes, module, "implemented", note, "2026Q4", actor)


def _receipt_for(session, theme) -> str | None:
    """A new receipt code on one response whose comment is in `theme`."""
    from sqlalchemy import select

    from app.models import Answer, Response, ThemeMember
    from app.respond.service import new_receipt_code, receipt_hash

    response = (
        session.execute(
            select(Response)
            .join(Answer, Answer.response_id == Response.id)
            .join(ThemeMember, ThemeMember.answer_id == Answer.id)
            .where(ThemeMember.theme_id == theme.id)
        )
        .scalars()
        .first()
    )
    if response is None:
        return None
    receipt = new_receipt_code()
    response.receipt_hash = receipt_hash(receipt)
    return receipt


def create_suggestion_from_box(session) -> None:
    from app.committee.service import create_suggestion

    create_suggestion(
        session, "希望开放手机端批量审批", "月底单子多，一条条点太慢", "approval", source="box", proposer_role="manager"
    )


def _date_suggestions(session, skip=None) -> None:
    """Spread the demo suggestions over the days after the 2026Q4 survey opened, so days-to-decision vary."""
    from sqlalchemy import select

    from app.models import Suggestion

    for index, suggestion in enumerate(session.execute(select(Suggestion).order_by(Suggestion.id)).scalars()):
        if suggestion is skip:
            continue
        day = datetime(2026, 11, 17 + index % 2, 10)
        suggestion.created_at = day
        for step, event in enumerate(suggestion.events):
            if event.to_status in ("adopted", "declined", "merged"):
                day = day + timedelta(days=1 + index % 3)
            elif step:
                day = day + timedelta(days=1)
            event.created_at = day
        suggestion.updated_at = day


def _date_events(suggestion, days: dict) -> None:
    """Give a suggestion and its events the moments of `days` (status → naive UTC)."""
    suggestion.created_at = days["submitted"]
    for event in suggestion.events:
        event.created_at = days[event.to_status]
    suggestion.updated_at = suggestion.published_at = days[suggestion.status]


USAGE_ADOPTION = {"华东区": 0.86, "总部职能": 0.93, "华南区": 0.74, "华北区": 0.61}
USAGE_APPROVAL_HOURS = {"华东区": 7.5, "总部职能": 5.0, "华南区": 13.0, "华北区": 21.0}


def demo_usage_csv(session, quarter_index: int, seed: int = 11) -> bytes:
    """A quarter's usage export as the DingTalk admin console would give it: one row per department."""
    import csv
    import io

    from app.metrics.service import directory_headcount

    rng = random.Random(seed + quarter_index)
    headcount = directory_headcount(session)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["部门", "人数", "活跃用户数", "日活/月活", "审批处理量", "平均审批时长（小时）", "考勤打卡率", "宜搭应用数"]
    )
    for path in sorted(p for p in headcount if p.count("/") == 2):
        region = path.split("/")[1]
        people = headcount[path]
        adoption = min(1.0, USAGE_ADOPTION[region] - 0.09 * (1 - quarter_index) + rng.uniform(-0.05, 0.05))
        active = min(people, round(people * adoption))
        writer.writerow(
            [
                path,
                people,
                active,
                f"{min(0.95, 0.25 + 0.5 * adoption + rng.uniform(-0.04, 0.04)):.2f}",
                round(active * rng.uniform(9, 14)),
                f"{USAGE_APPROVAL_HOURS[region] * (1.15 - 0.15 * quarter_index) * rng.uniform(0.85, 1.15):.1f}",
                f"{min(0.99, 0.70 + 0.1 * quarter_index + 0.15 * adoption + rng.uniform(-0.03, 0.03)):.0%}",
                rng.randint(0, 4) + 2 * quarter_index,
            ]
        )
    return buffer.getvalue().encode("utf-8")


def seed_usage(session) -> None:
    """Usage metrics for the demo quarters, through the real importer (so the demo checks it too)."""
    from app.metrics.importer import parse_metrics_file
    from app.metrics.service import known_departments, replace_quarter

    for quarter_index, (quarter, _day, _status) in enumerate(QUARTERS):
        result = parse_metrics_file(
            "usage.csv", demo_usage_csv(session, quarter_index), quarter, known_departments(session)
        )
        if not result.ok:
            raise ValueError("demo usage metrics do not import: " + "; ".join(result.errors))
        replace_quarter(session, quarter, result)
    session.commit()


FIXED_BETWEEN_QUARTERS = (
    ("打卡", "定位", "考勤", "补卡"),
    "已上线 WiFi 打卡并校准门店定位范围，补卡次数明显下降",
    "attendance",
)
FIXED_DAYS = {  # naive UTC; 10:00 in Shanghai
    "submitted": datetime(2026, 9, 25, 2),
    "under_review": datetime(2026, 9, 28, 2),
    "adopted": datetime(2026, 10, 9, 2),
    "in_progress": datetime(2026, 10, 12, 2),
    "implemented": datetime(2026, 10, 27, 2),
}
DEMO_DECISIONS = (
    (("打卡", "定位", "考勤", "补卡"), "implemented", "已上线 WiFi 打卡并校准门店定位范围，补卡次数明显下降"),
    (("审批", "报销", "审批节点", "代批"), "adopted", "下季度把 500 元以下报销改为一级审批，并开放代批"),
    (("消息", "ding", "群消息", "下班"), "in_progress", "正在配置 20:00 以后的消息免打扰时段"),
    (("培训", "手把手", "视频"), "adopted", "每个门店设一名数字化指导员，并录制 3 分钟短视频教程"),
    (("日志", "日报", "周报", "汇报"), "declined", "日报是经营复盘的要求，暂不取消；模板已精简为三项"),
)
DEMO_MODULES = (
    ("打卡", "attendance"),
    ("审批", "approval"),
    ("消息", "message"),
    ("ding", "message"),
    ("培训", "training"),
    ("日志", "log"),
    ("汇报", "log"),
    ("钉盘", "drive"),
    ("文件", "drive"),
)


def _demo_decision(keywords):
    for words, status, note in DEMO_DECISIONS:
        if any(word in keywords for word in words):
            return status, note
    return "under_review", None


def _demo_module(keywords):
    return next((module for word, module in DEMO_MODULES if word in keywords), None)
