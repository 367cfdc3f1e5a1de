"""What `/api/v1` reads and writes, declared once as pydantic models.

Request bodies and query parameters are validated by `parse(Model, data)`; the OpenAPI document's
`components.schemas` and its parameter schemas are generated from the same models (`component_schemas`,
`query_parameters`), so the document cannot drift from what the views check. Response bodies are declared
too, so the document says what the serialisers return (the schemathesis test checks every answer against it).

Pydantic's errors become the API's JSON errors (`{"error": code, "message": 中文}`): each request model lists its
`problems`, most important first, and the first one that matches an error is the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeAlias, TypeVar, overload

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic.json_schema import GenerateJsonSchema, models_json_schema
from pydantic_core import ErrorDetails, PydanticCustomError

from analysis.quarters import SCHEMA_PATTERN as QUARTER_SCHEMA_PATTERN
from analysis.quarters import is_quarter
from app.campaigns.service import AVAILABILITY, MODES, STATUS_TRANSITIONS
from app.committee.service import DESCRIPTION_MAX, TITLE_MAX, unknown_module_message
from app.committee.workflow import STATUS_LABELS
from app.jobs import STATES
from app.results.service import BY_CHOICES
from surveys.forms import has_unstorable_characters

INCLUDE_CHOICES = ("negative_share",)

# Literals built at run time from the values' one home (pydantic validates against them and writes their enums
# into the OpenAPI document); a type checker reads no Literal built from a variable, so to it they are texts.
if TYPE_CHECKING:
    SuggestionStatus: TypeAlias = str
    StatusOrEmpty: TypeAlias = str
    ResultsBy: TypeAlias = str
    CampaignStatus: TypeAlias = str
    CampaignMode: TypeAlias = str
    Availability: TypeAlias = str
    JobState: TypeAlias = str
else:
    SuggestionStatus = Literal[tuple(STATUS_LABELS)]
    StatusOrEmpty = Literal[(*STATUS_LABELS, "")]
    ResultsBy = Literal[tuple(BY_CHOICES)]
    CampaignStatus = Literal[tuple(STATUS_TRANSITIONS)]
    CampaignMode = Literal[MODES]
    Availability = Literal[AVAILABILITY]
    JobState = Literal[STATES]


class ApiError(Exception):
    """An answer other than 2xx, in the API's error shape."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Problem:
    """One kind of invalid input and its answer. `fields` are top-level names ('' is the body itself);
    `types` are pydantic error types (None: any); `message` may use {fields} (those at fault, joined by 、)
    and {value} (the first bad input), or be a function of the first matching pydantic error."""

    fields: tuple[str, ...]
    types: frozenset[str] | None
    status: int
    code: str
    message: str | Callable[[ErrorDetails], str]

    def answer(self, errors: list[ErrorDetails]) -> ApiError | None:
        matching = [e for e in errors if _field(e) in self.fields and (self.types is None or e["type"] in self.types)]
        if not matching:
            return None
        value = matching[0].get("input")
        if callable(self.message):
            return ApiError(self.status, self.code, self.message(matching[0]))
        at_fault = "、".join(f for f in self.fields if any(_field(e) == f for e in matching))
        return ApiError(self.status, self.code, self.message.format(fields=at_fault, value=value))


def _field(error: ErrorDetails) -> str:
    return str(error["loc"][0]) if error["loc"] else ""


WRONG_TYPE = frozenset({"string_type", "int_type", "list_type", "dict_type", "model_type", "bool_type"})
MODEL = TypeVar("MODEL", bound="RequestModel")


class RequestModel(BaseModel):
    """Strict (no coercion: `true` is not 1, `"2"` is not 2); unknown fields are ignored, as the document says."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)
    problems: ClassVar[tuple[Problem, ...]] = ()

    @classmethod
    def api_error(cls, errors: list[ErrorDetails]) -> ApiError:
        for problem in cls.problems:
            answer = problem.answer(errors)
            if answer is not None:
                return answer
        fields = "、".join(dict.fromkeys(_field(e) or "body" for e in errors))
        return ApiError(422, "invalid_fields", f"{fields} 无效")


def parse(model: type[MODEL], data: object, modules: ModuleSets | None = None) -> MODEL:
    """`data` as `model`, or ApiError with the status, code and Chinese message the API answers with.
    `modules`: the module codes of the instruments in use, which module fields accept."""
    try:
        return model.model_validate(data, context={"modules": modules or ModuleSets()})
    except ValidationError as exc:
        raise model.api_error(exc.errors(include_url=False)) from None


def _storable(text: str | None) -> str | None:
    if text is not None and has_unstorable_characters(text):
        raise PydanticCustomError("unstorable", "text with NUL or lone surrogates")
    return text


def _quarter_or_empty(text: str | None) -> str | None:
    if text and not is_quarter(text):
        raise PydanticCustomError("quarter", "not a quarter like 2027Q1")
    return text


def _a_string(value: object) -> object:
    """Before a Literal: anything but a string is a wrong type, not an unknown value."""
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "Input should be a valid string")
    return value


def _a_string_or_null(value: object) -> object:
    return value if value is None else _a_string(value)


def _null_as_empty(value: object) -> object:
    """A null title is a missing one (请填写标题), as before the schemas."""
    return "" if value is None else value


def _ascii_integer(value: object) -> object:
    """Query text of ASCII digits only (no '²', '٣', '+1', '1.0', ' 1')."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise PydanticCustomError("int_parsing", "not an integer")


def _comma_list(value: object) -> object:
    return frozenset(item for item in value.split(",") if item) if isinstance(value, str) else value


def _known_includes(value: frozenset[str]) -> frozenset[str]:
    if not value <= set(INCLUDE_CHOICES):
        raise PydanticCustomError("include", "unknown include")
    return value


Text = Annotated[str | None, AfterValidator(_storable)]


# Modules come from the instruments in use (`app.committee.service.module_choices` / `module_labels`), not
# from a list in the code: views pass them to `parse`, and the document's enums are filled in from them.
NEW_MODULES, KNOWN_MODULES = "<modules of the instruments in use>", "<modules in use or kept by a suggestion>"


@dataclass(frozen=True)
class ModuleSets:
    """`new`: what a new suggestion may name; `known`: also what existing suggestions keep (filters, answers)."""

    new: tuple[str, ...] = ()
    known: tuple[str, ...] = ()


def _module_in(which: str):
    def check(value: str, info: ValidationInfo) -> str:
        sets = (info.context or {}).get("modules") or ModuleSets()
        allowed = sets.new if which == NEW_MODULES else sets.known
        if value and value not in allowed:
            raise PydanticCustomError("literal_error", unknown_module_message(value, allowed))
        return value

    return check


def _module_type(which: str, empty: bool = False):
    enum = [which, ""] if empty else [which]
    return Annotated[
        str,
        BeforeValidator(_a_string),
        AfterValidator(_module_in(which)),
        WithJsonSchema({"type": "string", "enum": enum}),
    ]


if TYPE_CHECKING:  # module codes: texts checked against the instruments in use (see _module_type)
    NewModule: TypeAlias = str
    KnownModuleOrEmpty: TypeAlias = str
    KnownModule: TypeAlias = str
else:
    NewModule = _module_type(NEW_MODULES, empty=True)
    KnownModuleOrEmpty = _module_type(KNOWN_MODULES, empty=True)
    KnownModule = _module_type(KNOWN_MODULES)


@overload
def with_modules(schema: dict[str, Any], modules: ModuleSets) -> dict[str, Any]: ...
@overload
def with_modules(schema: object, modules: ModuleSets) -> object: ...
def with_modules(schema: object, modules: ModuleSets) -> object:
    """`schema` with the module placeholders of its enums replaced by the modules."""
    if isinstance(schema, dict):
        filled = {key: with_modules(value, modules) for key, value in schema.items()}
        enum = filled.get("enum")
        if isinstance(enum, list):
            expanded: list[object] = []
            for value in enum:
                if value == NEW_MODULES:
                    expanded += modules.new
                elif value == KNOWN_MODULES:
                    expanded += modules.known
                else:
                    expanded.append(value)
            filled["enum"] = list(dict.fromkeys(expanded))
        return filled
    if isinstance(schema, list):
        return [with_modules(item, modules) for item in schema]
    return schema


class NewSuggestion(RequestModel):
    """Body of `POST /suggestions`."""

    title: Annotated[str, BeforeValidator(_null_as_empty)] = Field(
        min_length=1, description=f"1–{TITLE_MAX} characters once surrounding whitespace is trimmed (422 otherwise)"
    )
    description: str | None = Field(None, description=f"at most {DESCRIPTION_MAX} characters once trimmed")
    module: Annotated[NewModule | None, BeforeValidator(_a_string_or_null)] = Field(
        None, description="a module of the instruments in use, or other; empty or null: none"
    )
    theme_ids: list[int] | None = Field(
        None, description="themes the suggestion comes from (422 when one does not exist)"
    )

    problems = (
        Problem(("",), None, 400, "invalid_json", "请求体应为 JSON 对象"),
        Problem(("theme_ids",), None, 422, "invalid_theme_ids", "theme_ids 应为整数数组"),
        Problem(
            ("title", "description", "module"),
            WRONG_TYPE,
            422,
            "invalid_fields",
            "title、description、module 应为字符串",
        ),
        Problem(("title",), frozenset({"missing", "string_too_short"}), 422, "invalid_suggestion", "请填写标题"),
        Problem(("module",), frozenset({"literal_error"}), 422, "invalid_suggestion", lambda error: error["msg"]),
    )


class Transition(RequestModel):
    """Body of `POST /suggestions/{id}/transitions`."""

    to: Annotated[SuggestionStatus, BeforeValidator(_a_string)]
    note: Text = Field(None, description="required to decline or mark implemented; shown publicly")
    owner: Text = Field(
        None,
        description="e-mail of an active committee member; required to adopt; empty: none (422 otherwise)",
    )
    target_quarter: Annotated[
        Text,
        AfterValidator(_quarter_or_empty),
        WithJsonSchema({"type": ["string", "null"], "pattern": QUARTER_SCHEMA_PATTERN}),
    ] = Field(None, description="like 2027Q1; required to adopt; empty: none")
    merged_into: int | None = Field(
        None, description="id of the suggestion to merge into; read when to is merged (422 when it does not exist)"
    )

    problems = (
        Problem(
            ("", "to"),
            frozenset({"model_type", "missing", "string_type"}),
            400,
            "invalid_json",
            "请求体应为包含 to 的 JSON 对象",
        ),
        Problem(
            ("note", "owner", "target_quarter", "merged_into"),
            WRONG_TYPE,
            422,
            "invalid_fields",
            "{fields} 类型不对：note、owner、target_quarter 应为字符串，merged_into 应为整数",
        ),
        Problem(
            ("note", "owner", "target_quarter"),
            frozenset({"unstorable"}),
            422,
            "invalid_text",
            "{fields} 中含有无法保存的特殊字符",
        ),
        Problem(
            ("target_quarter",),
            frozenset({"quarter"}),
            422,
            "invalid_quarter",
            "target_quarter 应为季度，格式如 2027Q1",
        ),
        Problem(("to",), frozenset({"literal_error"}), 409, "illegal", "未知状态“{value}”"),
    )


class ResultsQuery(RequestModel):
    """Query of `GET /campaigns/{id}/results`."""

    by: Annotated[ResultsBy, BeforeValidator(_a_string)] = "role"
    level: Annotated[int, Field(ge=1, le=6), BeforeValidator(_ascii_integer)] = Field(
        2, description="department level for by=department"
    )
    include: Annotated[
        frozenset[str],
        BeforeValidator(_comma_list),
        AfterValidator(_known_includes),
        WithJsonSchema({"type": "string", "enum": [*INCLUDE_CHOICES, ""]}),
    ] = Field(
        "",  # the text, validated into an empty set
        validate_default=True,
        description="negative_share: add negative_comment_share to groups meeting k_text; empty: nothing",
    )

    problems = (
        Problem(("by",), None, 400, "invalid_by", "by 只能是 " + "、".join(BY_CHOICES)),
        Problem(("level",), None, 400, "invalid_level", "level 应为 1 到 6 的整数"),
        Problem(("include",), None, 400, "invalid_include", "include 只能是 " + "、".join(INCLUDE_CHOICES)),
    )


class SuggestionsQuery(RequestModel):
    """Query of `GET /suggestions`."""

    status: Annotated[StatusOrEmpty, BeforeValidator(_a_string)] = Field("", description="empty: every status")
    module: KnownModuleOrEmpty = Field("", description="empty: every module")

    problems = (
        Problem(("status",), None, 400, "invalid_status", "status 无效"),
        Problem(("module",), None, 400, "invalid_module", "module 无效"),
    )


# ---- responses -------------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    """Every answer other than 2xx."""

    error: str | int
    message: str


class Scores(BaseModel):
    sus: float | None = Field(None, description="SUS 0–100")
    enps: float | None = Field(None, description="eNPS −100…100")
    modules: dict[str, float | None] = {}
    adkar: dict[str, float | None] = {}
    resistance: dict[str, float | None] = {}


class Group(BaseModel):
    key: str | None = None
    label: str | None = None
    n: int | str | None = Field(description="respondents; '<k' or null when suppressed")
    suppressed: bool
    reason: Literal["below_k", "complementary", "differencing"] | None = None
    message: str | None = None
    stale: bool | None = Field(None, description="fewer than k new responses since the last release")
    scores: Scores | None
    negative_comment_share: float | None = Field(
        None, description="share of commenting respondents with a negative comment; only for groups of at least k_text"
    )
    barrier_points: dict[str, int] | None = None


class Campaign(BaseModel):
    id: int
    title: str
    quarter: str
    instrument: str
    instrument_version: int | None = None
    status: CampaignStatus
    mode: CampaignMode | None = None
    audience: dict[str, Any] | None = None
    opens_at: str | None = None
    closes_at: str | None = None
    min_group: int
    min_group_text: int
    repeats_quarterly: bool | None = Field(None, description="the next quarter's campaign is created by itself")
    repeated_from: int | None = Field(None, description="the campaign this one repeats")
    invited: int | None = None
    completed: int | None = None
    response_rate: float | None = None
    open_link_responses: int | None = None


class CampaignSummary(BaseModel):
    """The campaign as results show it: `status` is whether it can be answered now."""

    id: int
    title: str
    quarter: str
    instrument: str
    status: Availability
    min_group: int
    min_group_text: int


class Results(BaseModel):
    campaign: CampaignSummary
    by: str | None = None
    level: int | None = None
    overall: Group
    segments: list[Group]


class ThemeRun(BaseModel):
    id: int
    campaign_ids: list[int]
    quarter: str | None = None
    status: JobState
    stage: str
    progress: int
    error: str | None = None
    n_comments: int | None = None
    n_non_answers: int | None = None
    params: dict[str, Any] | None = None
    code_version: str | None = None
    dictionary_version: str | None = None
    timings: dict[str, Any] | None = None
    created_at: str | None = None
    finished_at: str | None = None
    k_text: int | None = Field(None, description="the run's text threshold: themes below it are only counted")
    small_themes: int | None = Field(None, description="themes below k_text, not listed")


class ThemeMember(BaseModel):
    answer_id: str
    text: str


class Theme(BaseModel):
    id: int
    label: str
    keywords: list[str]
    size: int
    respondents: int
    negative_share: float | None = None
    recurring_quarters: list[str] = []
    representatives: list[str] = []
    is_other: bool | None = None
    is_noise: bool | None = None
    growth: float | None = None
    members: list[ThemeMember] | None = Field(
        None, description="the theme's comments (every listed theme has at least k_text respondents)"
    )


class SuggestionEvent(BaseModel):
    from_: str | None = Field(None, alias="from")
    to: str
    note: str | None = None
    at: str


class Suggestion(BaseModel):
    id: int
    title: str
    description: str
    module: KnownModule | None
    status: SuggestionStatus
    published: bool
    decision_note: str | None = None
    target_quarter: str | None = None
    respondents: int | None = Field(None, description="distinct respondents behind its themes; null when fewer than k")
    quarters: list[str] = []
    theme_ids: list[int]
    events: list[SuggestionEvent]


REQUESTS = (NewSuggestion, Transition)
RESPONSES = (ErrorBody, Scores, Group, Campaign, CampaignSummary, Results, ThemeRun, Theme, Suggestion)
REF = "#/components/schemas/{model}"


class _Schema(GenerateJsonSchema):
    """JSON Schema without a generated title on every field (the names say it)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False


def component_schemas(modules: ModuleSets) -> dict:
    """`components.schemas` of the OpenAPI document: every request and response model, referenced by name."""
    _, top = models_json_schema(
        [(model, "validation") for model in REQUESTS] + [(model, "serialization") for model in RESPONSES],
        ref_template=REF,
        schema_generator=_Schema,
    )
    return with_modules(top["$defs"], modules)


def query_parameters(model: type[RequestModel], modules: ModuleSets | None = None) -> list[dict]:
    """OpenAPI query parameters from a query model's fields, in declaration order."""
    schema = with_modules(model.model_json_schema(ref_template=REF, schema_generator=_Schema), modules or ModuleSets())
    parameters = []
    for name, field_schema in schema["properties"].items():
        field_schema = dict(field_schema)
        description = field_schema.pop("description", None)
        parameter = {"name": name, "in": "query", "schema": field_schema}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def ref(model: type[BaseModel]) -> dict:
    return {"$ref": REF.format(model=model.__name__)}
