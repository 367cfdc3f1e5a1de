"""Builders for results tests: campaigns with responses of chosen segments and scores."""

import uuid
from datetime import date

from app.extensions import db
from app.models import Answer, Response
from tests.web.respond_helpers import make_campaign


def add_responses(campaign, specs):
    """specs: list of (count, role, department, wave, answers dict)."""
    for count, role, department, wave, answers in specs:
        for _ in range(count):
            response = Response(
                id=str(uuid.uuid4()),
                campaign_id=campaign.id,
                submitted_on=date(2026, 11, 20),
                role=role,
                department_path=department,
                wave=wave,
                via_open_link=False,
            )
            db.session.add(response)
            for code, value in answers.items():
                db.session.add(
                    Answer(
                        id=uuid.uuid4().hex,
                        response_id=response.id,
                        question_code=code,
                        value_number=value if not isinstance(value, str) else None,
                        value_text=value if isinstance(value, str) else None,
                    )
                )
    db.session.commit()


def satisfaction(sus_value=3, enps=8, approval=3, text=None):
    """Positive SUS items answered `sus_value`, negative ones the mirror: SUS = (sus_value − 1) × 25."""
    answers = {f"sus{i}": sus_value if i % 2 else 6 - sus_value for i in range(1, 11)}
    answers.update(enps=enps, mod_approval=approval)
    if text:
        answers["trouble"] = text
    return answers


READINESS_CODES = [
    "awareness1",
    "awareness2",
    "desire1",
    "desire2",
    "desire3",
    "knowledge1",
    "knowledge2",
    "ability1",
    "ability2",
    "reinforcement1",
    "reinforcement2",
    "reinforcement3",
    "routine_seeking1",
    "routine_seeking2",
    "emotional_reaction1",
    "emotional_reaction2",
    "short_term_focus1",
    "short_term_focus2",
    "cognitive_rigidity1",
    "cognitive_rigidity2",
]


def readiness(value=4, text=None):
    """Every change-readiness item answered `value` (ADKAR elements and resistance dimensions alike)."""
    answers = dict.fromkeys(READINESS_CODES, value)
    if text:
        answers["holdback"] = text
    return answers


def campaign_with(specs, **overrides):
    campaign, _ = make_campaign(people=0, **overrides)
    add_responses(campaign, specs)
    return campaign
