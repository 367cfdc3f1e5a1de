"""What each signed-in role finds on `/`: the work waiting for it, each part from its own home.

A manager: the campaigns with their live response rates (from invitations, which reveal no answers),
the latest theme run and the open suggestions; the committee: its queue by status; an admin: the
directory and the staff accounts. Everyone's `/` links to the public board and the suggestion box.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.campaigns.service import availability, response_rates
from app.committee.service import open_suggestions, queue_by_status
from app.models import Campaign, Department, Person, StaffUser, ThemeRun

RECENT_CAMPAIGNS = 6


def manager_home(session) -> dict:
    campaigns = session.execute(
        select(Campaign).order_by(Campaign.quarter.desc(), Campaign.id.desc()).limit(RECENT_CAMPAIGNS)
    ).scalars()
    run = session.execute(
        select(ThemeRun).where(ThemeRun.status == "succeeded").order_by(ThemeRun.id.desc()).limit(1)
    ).scalar_one_or_none()
    return {
        "campaigns": [(c, availability(c), response_rates(session, c)["overall"]) for c in campaigns],
        "theme_run": run,
        "theme_count": sum(1 for t in run.themes if not t.is_noise and t.merged_into_id is None) if run else 0,
        "suggestions": open_suggestions(session),
    }


def committee_home(session) -> dict:
    return {"queue": queue_by_status(session), "suggestions": open_suggestions(session)}


def admin_home(session) -> dict:
    active = session.execute(select(func.count(Person.id)).where(Person.active.is_(True))).scalar_one()
    inactive = session.execute(select(func.count(Person.id)).where(Person.active.is_(False))).scalar_one()
    departments = session.execute(select(func.count(Department.id))).scalar_one()
    accounts = session.execute(select(StaffUser).order_by(StaffUser.role, StaffUser.email)).scalars()
    return {"people": active, "inactive": inactive, "departments": departments, "accounts": list(accounts)}


HOMES = {"manager": manager_home, "committee": committee_home, "admin": admin_home}


def home_for_role(session, role: str) -> dict:
    """The sections of `/` for a staff role (none for a role without a home of its own)."""
    build = HOMES.get(role)
    return build(session) if build else {}
