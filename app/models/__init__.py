"""The domain model. Every table of the product is declared here so migrations see them all."""
from app.models.people import Department, Person, ROLES, ROLE_LABELS
from app.models.staff import ApiToken, StaffUser, STAFF_ROLES
from app.models.instruments import Instrument, InstrumentVersion, Question
from app.models.campaigns import Campaign, Invitation
from app.models.responses import Answer, AnswerTokens, Response
from app.models.themes import DictionaryTerm, Theme, ThemeEdit, ThemeMember, ThemeRun
from app.models.suggestions import Suggestion, SuggestionEvent, SuggestionTheme, WebhookDelivery
from app.models.audit import AuditLog, BackgroundJob, JobOutput, ReleaseSnapshot, UsageMetric, QuarterReport

__all__ = [
    "Department", "Person", "ROLES", "ROLE_LABELS", "ApiToken", "StaffUser", "STAFF_ROLES",
    "Instrument", "InstrumentVersion", "Question", "Campaign", "Invitation", "Answer",
    "AnswerTokens", "Response", "DictionaryTerm", "Theme", "ThemeEdit", "ThemeMember", "ThemeRun",
    "Suggestion", "SuggestionEvent", "SuggestionTheme", "WebhookDelivery", "AuditLog",
    "BackgroundJob", "JobOutput", "ReleaseSnapshot", "UsageMetric", "QuarterReport",
]
