"""The domain model. Every table of the product is declared here so migrations see them all."""

from app.models.audit import AuditLog, BackgroundJob, JobOutput, QuarterReport, UsageMetric
from app.models.campaigns import Campaign, Invitation
from app.models.delivery import Delivery, Digest, DigestSchedule
from app.models.instruments import Instrument, InstrumentVersion, Question
from app.models.notices import NOTICE_KINDS, StaffNotice
from app.models.people import ROLE_LABELS, ROLES, Department, DepartmentWave, Person, RoleRule
from app.models.releases import ExportLabel, Release
from app.models.responses import Answer, AnswerTokens, Response
from app.models.staff import STAFF_ROLE_LABELS, STAFF_ROLES, ApiToken, StaffUser
from app.models.suggestions import Suggestion, SuggestionEvent, SuggestionTheme, WebhookDelivery
from app.models.themes import DictionaryTerm, Theme, ThemeEdit, ThemeMember, ThemeRun

__all__ = [
    "NOTICE_KINDS",
    "ROLES",
    "ROLE_LABELS",
    "STAFF_ROLES",
    "STAFF_ROLE_LABELS",
    "Answer",
    "AnswerTokens",
    "ApiToken",
    "AuditLog",
    "BackgroundJob",
    "Campaign",
    "Delivery",
    "Department",
    "DepartmentWave",
    "DictionaryTerm",
    "Digest",
    "DigestSchedule",
    "ExportLabel",
    "Instrument",
    "InstrumentVersion",
    "Invitation",
    "JobOutput",
    "Person",
    "QuarterReport",
    "Question",
    "Release",
    "Response",
    "RoleRule",
    "StaffNotice",
    "StaffUser",
    "Suggestion",
    "SuggestionEvent",
    "SuggestionTheme",
    "Theme",
    "ThemeEdit",
    "ThemeMember",
    "ThemeRun",
    "UsageMetric",
    "WebhookDelivery",
]
