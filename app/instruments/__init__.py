"""The bridge between instrument definitions (`surveys`) and their stored, frozen versions, and the modules
of the instruments in use.

A built-in definition is copied into the database as an InstrumentVersion; when the definition changes, a
new version is added. A company's own instruments come from `flask instruments import` or the editor
(`/instruments/`). A version that a campaign uses is never edited: saving such an instrument makes a new
version, and campaigns keep theirs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

import surveys
from app.i18n import current_language
from app.models import Campaign, Instrument, InstrumentVersion, Question
from surveys.definitions import N_, Problem
from surveys.scoring import family_scales, score_key
from surveys.versions import changed_scales


class InstrumentNotFound(LookupError):
    pass


def is_builtin(slug: str) -> bool:
    return slug in surveys.builtin_names()


def sync_builtin_instruments(session) -> list[InstrumentVersion]:
    """Make sure every built-in instrument's current definition is stored; returns the latest versions."""
    latest = []
    for definition in surveys.builtin_instruments():
        latest.append(store_definition(session, definition))
    session.flush()
    return latest


def _latest(session, instrument: Instrument) -> InstrumentVersion | None:
    return session.execute(
        select(InstrumentVersion)
        .where(InstrumentVersion.instrument_id == instrument.id)
        .order_by(InstrumentVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def _instrument_row(session, definition) -> Instrument:
    instrument = session.execute(select(Instrument).where(Instrument.slug == definition.name)).scalar_one_or_none()
    if instrument is None:
        instrument = Instrument(slug=definition.name)
        session.add(instrument)
    instrument.name_zh = definition.title["zh"][:200]
    instrument.name_en = (definition.title["en"] or definition.title["zh"])[:200]
    session.flush()
    return instrument


def store_definition(session, definition) -> InstrumentVersion:
    """Store `definition` as a new version unless the latest version already has the same content."""
    instrument = _instrument_row(session, definition)
    current = _latest(session, instrument)
    if current is not None and current.definition_hash == surveys.definition_hash(definition):
        return current
    version = InstrumentVersion(instrument=instrument, version=(current.version + 1) if current else 1)
    _write(session, version, definition)
    return version


def _write(session, version: InstrumentVersion, definition) -> None:
    """The version's definition and its question rows (replaced when a version nobody uses is edited)."""
    version.definition = json.dumps(surveys.to_dict(definition), ensure_ascii=False, sort_keys=True)
    version.definition_hash = surveys.definition_hash(definition)
    if version.questions:
        version.questions.clear()
        session.flush()
    for position, question in enumerate(definition.questions):
        version.questions.append(
            Question(
                code=question.code,
                position=position,
                qtype=question.type,
                required=question.required,
                text_zh=question.text["zh"],
                text_en=question.text["en"],
                scale_code=question.scale,
            )
        )
    session.add(version)
    session.flush()


def refuse_builtin_name(definition, source: str) -> None:
    """A company's instrument cannot take a built-in's name (the built-in is restored from its file)."""
    if is_builtin(definition.name):
        message = N_("“%(name)s”是内置问卷的名称，不能覆盖；请换一个名称，例如 %(name)s-company")
        raise surveys.InstrumentError([Problem(source, "name", message, (("name", definition.name),))])


def import_definition(session, definition, source: str = "<import>") -> tuple[InstrumentVersion, bool]:
    """`flask instruments import`: a new instrument, or a new version when the content changed; returns the
    version and whether it was stored now."""
    refuse_builtin_name(definition, source)
    instrument = session.execute(select(Instrument).where(Instrument.slug == definition.name)).scalar_one_or_none()
    before = _latest(session, instrument) if instrument is not None else None
    version = store_definition(session, definition)
    return version, before is None or version.id != before.id


def save_definition(session, definition, source: str = "<editor>") -> tuple[InstrumentVersion, bool]:
    """The editor's save: the latest version is edited in place while no campaign uses it; otherwise (or for
    a new instrument) a new version is made. Returns the version and whether it is new."""
    refuse_builtin_name(definition, source)
    instrument = session.execute(select(Instrument).where(Instrument.slug == definition.name)).scalar_one_or_none()
    current = _latest(session, instrument) if instrument is not None else None
    if current is None or version_in_use(session, current):
        return store_definition(session, definition), True
    _instrument_row(session, definition)
    if current.definition_hash != surveys.definition_hash(definition):
        _write(session, current, definition)
    return current, False


def version_in_use(session, version: InstrumentVersion) -> bool:
    used = select(Campaign.id).where(Campaign.instrument_version_id == version.id).limit(1)
    return session.execute(used).first() is not None


def latest_version(session, slug: str) -> InstrumentVersion:
    sync_builtin_instruments(session)
    version = session.execute(
        select(InstrumentVersion)
        .join(Instrument)
        .where(Instrument.slug == slug)
        .order_by(InstrumentVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    if version is None:
        names = "、".join(session.execute(select(Instrument.slug).order_by(Instrument.slug)).scalars())
        raise InstrumentNotFound(f"没有名为“{slug}”的问卷（可用：{names}）")
    return version


def version_of(session, slug: str, number: int | None = None) -> InstrumentVersion:
    """Version `number` of an instrument (the latest without a number); InstrumentNotFound otherwise."""
    if number is None:
        return latest_version(session, slug)
    sync_builtin_instruments(session)
    version = session.execute(
        select(InstrumentVersion).join(Instrument).where(Instrument.slug == slug, InstrumentVersion.version == number)
    ).scalar_one_or_none()
    if version is None:
        raise InstrumentNotFound(f"问卷“{slug}”没有第 {number} 版")
    return version


def all_latest_versions(session) -> list[InstrumentVersion]:
    """The latest version of every stored instrument, built-ins first, then the company's by name."""
    sync_builtin_instruments(session)
    newest = (
        select(InstrumentVersion.instrument_id, func.max(InstrumentVersion.version).label("version"))
        .group_by(InstrumentVersion.instrument_id)
        .subquery()
    )
    versions = session.execute(
        select(InstrumentVersion).join(
            newest,
            (InstrumentVersion.instrument_id == newest.c.instrument_id)
            & (InstrumentVersion.version == newest.c.version),
        )
    ).scalars()
    return sorted(versions, key=lambda v: (not is_builtin(v.instrument.slug), v.instrument.slug))


def list_instruments(session) -> list[dict]:
    """Every instrument with its latest version and all stored versions (`flask instruments list`)."""
    latest = all_latest_versions(session)
    session.commit()
    return [
        {
            "name": v.instrument.slug,
            "version": v.version,
            "versions": [other.version for other in v.instrument.versions],
            "builtin": is_builtin(v.instrument.slug),
            "title": v.instrument.name_zh,
            "title_en": v.instrument.name_en,
            "questions": len(v.questions),
        }
        for v in latest
    ]


def instrument_choices(session) -> list[SelectChoice]:
    latest = all_latest_versions(session)
    session.commit()
    english = current_language() == "en"
    return [
        SelectChoice(
            str(v.id),
            gettext(
                "%(name)s（v%(version)s）",
                name=v.instrument.name_en if english else v.instrument.name_zh,
                version=v.version,
            ),
        )
        for v in latest
    ]


def campaigns_by_version(session) -> dict[int, list[Campaign]]:
    """The campaigns that use each stored version (the editor's list shows them)."""
    found: dict[int, list[Campaign]] = {}
    for campaign in session.execute(select(Campaign).order_by(Campaign.quarter, Campaign.id)).scalars():
        found.setdefault(campaign.instrument_version_id, []).append(campaign)
    return found


@lru_cache(maxsize=64)
def _definition_from_json(definition_hash: str, definition_json: str):
    """A stored version, read without the authoring rules: it was valid when it was stored."""
    return surveys.from_dict(json.loads(definition_json), authoring=False)


def instrument_for(version: InstrumentVersion):
    """The `surveys` definition of a stored version (parsed once per process per version)."""
    return _definition_from_json(version.definition_hash, version.definition)


@lru_cache(maxsize=64)
def _form_class(definition_hash: str, definition_json: str, locale: str):
    """A FlaskForm subclass whose CSRF check the respond view does itself (to keep answers on expiry)."""
    form_class = surveys.build_form_class(
        _definition_from_json(definition_hash, definition_json), base_class=FlaskForm, locale=locale
    )
    return type(form_class.__name__, (form_class,), {"Meta": type("Meta", (), {"csrf": False})})


def form_class_for(version: InstrumentVersion, locale: str):
    return _form_class(version.definition_hash, version.definition, locale)


def form_class_for_definition(definition, locale: str):
    """The form of a definition not stored yet (the editor's preview)."""
    return _form_class(
        surveys.definition_hash(definition), json.dumps(surveys.to_dict(definition), ensure_ascii=False), locale
    )


def answers_from_form(definition, form) -> list[tuple[str, float | None, str | None]]:
    return surveys.answers_from_form(definition, form)


# The company's modules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Module:
    """A module an instrument scores (`module_<code>`), with its name in both languages."""

    code: str
    title: dict

    def label(self, language: str = "zh") -> str:
        return self.title.get(language) or self.title["zh"]


def _modules_of(versions) -> list[Module]:
    found: dict[str, Module] = {}
    for version in versions:
        for member, scale in family_scales(instrument_for(version), "modules"):
            found.setdefault(member, Module(member, dict(scale.title)))
    return list(found.values())


def modules_in_use(session) -> list[Module]:
    """The modules of the instrument versions that campaigns use, the newest campaign's names first: what
    results, reports, suggestion categories, the board's filters and the API's enums offer — and the input
    of driver analysis (issue 14) when it is built."""
    versions = session.execute(
        select(InstrumentVersion)
        .join(Campaign, Campaign.instrument_version_id == InstrumentVersion.id)
        .order_by(Campaign.quarter.desc(), Campaign.id.desc())
    ).scalars()
    return _modules_of(dict.fromkeys(versions))


def module_names(session) -> dict[str, Module]:
    """Every module any stored version names (latest versions first), so a suggestion whose module no
    instrument in use has any more keeps its name."""
    versions = session.execute(
        select(InstrumentVersion).order_by(InstrumentVersion.created_at.desc(), InstrumentVersion.id.desc())
    ).scalars()
    return {module.code: module for module in _modules_of(versions)}


def changed_in_trend(versions, current: InstrumentVersion) -> frozenset[str]:
    """Score keys of the scales whose items differ between `current` and any of the versions a trend shows
    (compared by scale code): the trend marks them 题目有变化，趋势仅供参考."""
    definition = instrument_for(current)
    changed: set[str] = set()
    for version in {v.id: v for v in versions if v.id != current.id}.values():
        changed |= changed_scales(instrument_for(version), definition)
    return frozenset(score_key(code) for code in changed)
