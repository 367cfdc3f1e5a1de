"""Public pages (no login): the board, its Atom feed, the suggestion box and receipt lookups."""

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from analysis.months import Month
from analysis.privacy import may_release
from app.access import PUBLIC, allow
from app.committee.accounts import earlier_month, last_event_at, month_account, month_counts, status_month
from app.committee.effect import measured_effect
from app.committee.forms import BoxForm, module_select
from app.committee.service import (
    SuggestionError,
    board_summary,
    create_suggestion,
    issue_box_receipt,
    module_choices,
    module_labels,
    origin,
    receipt_lookup,
)
from app.committee.workflow import STATUS_LABELS
from app.extensions import db, limiter
from app.i18n import company_timezone, current_language, current_month, current_quarter, month_so_far
from app.models import ROLE_LABELS, Department, Person, Suggestion, SuggestionEvent
from app.models.types import utcnow

bp = Blueprint("board", __name__)
BOX_RECEIPT_KEY = "box_receipt"
BOARD_ORDER = ("implemented", "in_progress", "adopted", "under_review", "submitted", "declined", "merged")
ACCOUNT_MONTHS = 6  # the board shows the monthly account of this month and the five before it
FEED_MONTHS = 12


@bp.route("/")
@allow(PUBLIC)
def index():
    module = request.args.get("module", "")
    status = request.args.get("status", "")
    query = select(Suggestion).where(Suggestion.published.is_(True)).order_by(Suggestion.updated_at.desc())
    modules = module_labels(db.session, current_language(), published_only=True)
    if module in modules:
        query = query.where(Suggestion.module == module)
    if status in STATUS_LABELS:
        query = query.where(Suggestion.status == status)
    suggestions = db.session.execute(query).scalars().all()
    groups = [(s, [x for x in suggestions if x.status == s]) for s in BOARD_ORDER]
    k = current_app.config["ANONYMITY_MIN_GROUP"]
    origins = {s.id: origin(db.session, s, k) for s in suggestions}
    effects = {s.id: measured_effect(db.session, s) for s in suggestions if s.status == "implemented"}
    quarter = current_quarter()
    start, end = quarter.bounds(company_timezone())
    return render_template(
        "board/index.html",
        groups=groups,
        origins=origins,
        effects=effects,
        labels=STATUS_LABELS,
        modules=modules,
        module=module,
        status=status,
        summary=board_summary(db.session, start, end),
        quarter=quarter,
        accounts=month_counts(db.session, current_month().last(ACCOUNT_MONTHS), company_timezone()),
    )


@bp.route("/feed.atom")
@allow(PUBLIC)
def feed():
    events = (
        db.session.execute(
            select(SuggestionEvent)
            .join(Suggestion)
            .where(Suggestion.published.is_(True))
            .order_by(SuggestionEvent.created_at.desc())
            .limit(50)
        )
        .scalars()
        .all()
    )
    xml = render_template(
        "board/feed.xml", events=events, labels=STATUS_LABELS, updated=events[0].created_at if events else utcnow()
    )
    return Response(xml, mimetype="application/atom+xml")


def _month_or_404(text: str | None) -> Month:
    """A month of the URL that has come, or 404."""
    return month_so_far(text) or abort(404)


@bp.route("/months/<month>")
@allow(PUBLIC)
def month_page(month: str):
    parsed = _month_or_404(month)
    account = month_account(db.session, parsed, company_timezone(), current_app.config["ANONYMITY_MIN_GROUP"])
    return render_template(
        "board/month.html",
        account=account,
        effects={e.suggestion.id: measured_effect(db.session, e.suggestion) for e in account.implemented},
        counts=account.counts,
        labels=STATUS_LABELS,
        modules=module_labels(db.session, current_language(), published_only=True),
        previous=earlier_month(db.session, parsed, company_timezone()),
        following=parsed.next if parsed < current_month() else None,
    )


@bp.route("/months.atom")
@allow(PUBLIC)
def months_feed():
    timezone = company_timezone()
    accounts = [c for c in month_counts(db.session, current_month().last(FEED_MONTHS), timezone) if not c.empty]
    updated = {c.month: last_event_at(db.session, c.month, timezone) for c in accounts}
    feed_updated = max((at for at in updated.values() if at is not None), default=utcnow())
    xml = render_template("board/months.xml", accounts=accounts, updated=updated, feed_updated=feed_updated)
    return Response(xml, mimetype="application/atom+xml")


def box_form() -> BoxForm:
    form = BoxForm()
    form.module.choices = module_select(module_choices(db.session, current_language()))
    k = current_app.config["ANONYMITY_MIN_GROUP"]
    role_counts = dict(
        db.session.execute(select(Person.role, func.count()).where(Person.active.is_(True)).group_by(Person.role)).all()
    )
    form.role.choices = [SelectChoice("", "—")] + [
        SelectChoice(r, ROLE_LABELS[r]) for r in ROLE_LABELS if may_release(role_counts.get(r, 0), k)
    ]
    departments = db.session.execute(
        select(Department.path, func.count(Person.id))
        .join(Person, Person.department_id == Department.id)
        .where(Person.active.is_(True))
        .group_by(Department.path)
        .order_by(Department.path)
    ).all()
    form.department.choices = [SelectChoice("", "—")] + [
        SelectChoice(path) for path, n in departments if may_release(n, k)
    ]
    return form


def _box_session_key():
    return f"box:{session.get('box_id') or request.remote_addr}"


@bp.route("/suggest", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit("60 per hour", methods=["POST"])  # per address: many employees may share one office NAT
@limiter.limit("5 per hour", methods=["POST"], key_func=_box_session_key)
def suggest():
    form = box_form()
    if form.validate_on_submit():
        try:
            entry = create_suggestion(
                db.session,
                form.title.data,
                form.description.data,
                form.module.data or None,
                source="box",
                proposer_role=form.role.data or None,
                box_department=form.department.data or None,
            )
        except SuggestionError as exc:
            form.title.errors.append(str(exc))
        else:
            session[BOX_RECEIPT_KEY] = issue_box_receipt(entry)
            db.session.commit()
            return redirect(url_for("board.suggested"))
    session.setdefault("box_id", __import__("secrets").token_hex(8))
    return render_template("board/suggest.html", form=form)


@bp.route("/suggest/thanks")
@allow(PUBLIC)
def suggested():
    """The box's thanks, with the entry's receipt code once (it is kept nowhere but hashed)."""
    return render_template("board/suggested.html", receipt=session.pop(BOX_RECEIPT_KEY, None))


@bp.route("/receipt")
@allow(PUBLIC)
@limiter.limit("10 per minute")
def receipt():
    code = request.args.get("code", "").strip()[:40]
    result = receipt_lookup(db.session, code) if code else None
    months = {s.id: status_month(s, company_timezone()) for s in (result or {}).get("suggestions", [])}
    return render_template(
        "board/receipt.html", code=code, result=result, labels=STATUS_LABELS, searched=bool(code), months=months
    )
