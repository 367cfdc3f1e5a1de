"""The OpenAPI 3.1 description of `/api/v1`; a test checks that every API route is in it, and a schemathesis
test in the suite sends generated requests to every operation and checks the answers against it.

Allowed values come from the modules that enforce them, so the document cannot drift from the API.
"""

from analysis.quarters import SCHEMA_PATTERN as QUARTER_SCHEMA_PATTERN
from app.committee.service import DESCRIPTION_MAX, MODULES, TITLE_MAX
from app.committee.workflow import STATUS_LABELS
from app.jobs import STATES
from app.models.types import MAX_ID
from app.results.service import BY_CHOICES

NULLABLE_STRING = {"type": ["string", "null"]}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
SCORES = {
    "type": ["object", "null"],
    "properties": {
        "sus": {"type": ["number", "null"], "description": "SUS 0–100"},
        "enps": {"type": ["number", "null"], "description": "eNPS −100…100"},
        "modules": {"type": "object", "additionalProperties": {"type": ["number", "null"]}},
        "adkar": {"type": "object", "additionalProperties": {"type": ["number", "null"]}},
        "resistance": {"type": "object", "additionalProperties": {"type": ["number", "null"]}},
    },
}
GROUP = {
    "type": "object",
    "required": ["n", "suppressed", "scores"],
    "properties": {
        "key": {"type": "string"},
        "label": {"type": "string"},
        "n": {"type": ["integer", "string", "null"], "description": "respondents; '<k' or null when suppressed"},
        "suppressed": {"type": "boolean"},
        "reason": {"type": "string", "enum": ["below_k", "complementary", "differencing"]},
        "message": {"type": "string"},
        "stale": {"type": "boolean", "description": "fewer than k new responses since the last release"},
        "scores": {"$ref": "#/components/schemas/Scores"},
        "negative_comment_share": {
            "type": "number",
            "description": "share of commenting respondents with a "
            "negative comment; only for groups of at least k_text",
        },
        "barrier_points": {"type": ["object", "null"], "additionalProperties": {"type": "integer"}},
    },
}
CAMPAIGN = {
    "type": "object",
    "required": ["id", "title", "quarter", "instrument", "status", "min_group", "min_group_text"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "quarter": {"type": "string"},
        "instrument": {"type": "string"},
        "instrument_version": {"type": "integer"},
        "status": {"type": "string", "enum": ["draft", "open", "closed"]},
        "mode": {"type": "string", "enum": ["anonymous", "confidential"]},
        "audience": {"type": "object"},
        "opens_at": NULLABLE_STRING,
        "closes_at": NULLABLE_STRING,
        "min_group": {"type": "integer"},
        "min_group_text": {"type": "integer"},
        "invited": {"type": "integer"},
        "completed": {"type": "integer"},
        "response_rate": {"type": ["number", "null"]},
        "open_link_responses": {"type": "integer"},
    },
}
THEME_RUN = {
    "type": "object",
    "required": ["id", "campaign_ids", "status", "stage", "progress"],
    "properties": {
        "id": {"type": "integer"},
        "campaign_ids": {"type": "array", "items": {"type": "integer"}},
        "quarter": NULLABLE_STRING,
        "status": {"type": "string", "enum": list(STATES)},
        "stage": {"type": "string"},
        "progress": {"type": "integer"},
        "error": NULLABLE_STRING,
        "n_comments": {"type": ["integer", "null"]},
        "n_non_answers": {"type": ["integer", "null"]},
        "params": {"type": "object"},
        "code_version": NULLABLE_STRING,
        "dictionary_version": NULLABLE_STRING,
        "timings": {"type": ["object", "null"]},
        "created_at": NULLABLE_STRING,
        "finished_at": NULLABLE_STRING,
    },
}
THEME = {
    "type": "object",
    "required": ["id", "label", "keywords", "size", "respondents"],
    "properties": {
        "id": {"type": "integer"},
        "label": {"type": "string"},
        "keywords": {"type": "array", "items": {"type": "string"}},
        "size": {"type": "integer"},
        "respondents": {"type": "integer"},
        "negative_share": {"type": "number"},
        "recurring_quarters": {"type": "array", "items": {"type": "string"}},
        "representatives": {"type": "array", "items": {"type": "string"}},
        "is_other": {"type": "boolean"},
        "is_noise": {"type": "boolean"},
        "growth": {"type": ["number", "null"]},
        "members": {
            "type": "array",
            "description": "only for themes with at least k_text respondents",
            "items": {"type": "object", "properties": {"answer_id": {"type": "string"}, "text": {"type": "string"}}},
        },
    },
}
SUGGESTION = {
    "type": "object",
    "required": ["id", "title", "description", "module", "status", "published", "theme_ids", "events"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "module": {"type": ["string", "null"], "enum": [*MODULES, None]},
        "status": {"type": "string", "enum": list(STATUS_LABELS)},
        "published": {"type": "boolean"},
        "decision_note": NULLABLE_STRING,
        "target_quarter": NULLABLE_STRING,
        "respondents": {
            "type": ["integer", "null"],
            "description": "distinct respondents behind its themes; null when fewer than k",
        },
        "quarters": {"type": "array", "items": {"type": "string"}},
        "theme_ids": {"type": "array", "items": {"type": "integer"}},
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["to", "at"],
                "properties": {
                    "from": NULLABLE_STRING,
                    "to": {"type": "string"},
                    "note": NULLABLE_STRING,
                    "at": {"type": "string"},
                },
            },
        },
    },
}
ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": ["string", "integer"]}, "message": {"type": "string"}},
}
NEW_SUGGESTION = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": {
            "type": "string",
            "minLength": 1,
            "description": f"1–{TITLE_MAX} characters once surrounding whitespace is trimmed (422 otherwise)",
        },
        "description": {
            "type": ["string", "null"],
            "description": f"at most {DESCRIPTION_MAX} characters once trimmed",
        },
        "module": {"type": ["string", "null"], "enum": [*MODULES, "", None], "description": "empty or null: none"},
        "theme_ids": {
            "type": ["array", "null"],
            "items": {"type": "integer"},
            "description": "themes the suggestion comes from (422 when one does not exist)",
        },
    },
}
TRANSITION = {
    "type": "object",
    "required": ["to"],
    "properties": {
        "to": {"type": "string", "enum": list(STATUS_LABELS)},
        "note": {"type": ["string", "null"], "description": "required to decline or mark implemented; shown publicly"},
        "owner": {
            "type": ["string", "null"],
            "description": "email of a committee member; required to adopt; "
            "empty: none (422 when no committee member has it)",
        },
        "target_quarter": {
            "type": ["string", "null"],
            "pattern": QUARTER_SCHEMA_PATTERN,
            "description": "like 2027Q1; required to adopt; empty: none",
        },
        "merged_into": {
            "type": ["integer", "null"],
            "description": "id of the suggestion to merge into; read when to is merged (422 when it does not exist)",
        },
    },
}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(**described: str) -> dict:
    """Error responses by status code (`e404="no such campaign"`), each a JSON `Error`."""
    return {code.removeprefix("e"): {"description": text, **_json(_ref("Error"))} for code, text in described.items()}


def _path_id(name: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": ID,
        "description": "404 for an id no row has, including one outside 1…2³¹−1",
    }


def openapi_document(server: str) -> dict:
    signed_in = {"e401": "not signed in", "e403": "role not allowed"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ChangePulse API",
            "version": "1",
            "description": "变革脉搏 JSON API. Authenticate with the session cookie or `Authorization: Bearer <token>` "
            "(tokens from the admin users page or `flask users token EMAIL`). Errors are JSON "
            '`{"error": code, "message": "…"}` with a message in Chinese. Unknown query '
            "parameters and body fields are ignored.",
        },
        "servers": [{"url": server}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {
                "Scores": SCORES,
                "Group": GROUP,
                "Error": ERROR,
                "Campaign": CAMPAIGN,
                "ThemeRun": THEME_RUN,
                "Theme": THEME,
                "Suggestion": SUGGESTION,
            },
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/api/v1/campaigns": {
                "get": {
                    "summary": "Campaigns with response rates (manager, admin)",
                    "responses": {
                        "200": {"description": "campaigns", **_json({"type": "array", "items": _ref("Campaign")})},
                        **_errors(**signed_in),
                    },
                }
            },
            "/api/v1/campaigns/{campaign_id}/results": {
                "get": {
                    "summary": "Results of a campaign by segment, released through the anonymity rules (manager)",
                    "parameters": [
                        _path_id("campaign_id"),
                        {
                            "name": "by",
                            "in": "query",
                            "schema": {"type": "string", "enum": list(BY_CHOICES), "default": "role"},
                        },
                        {
                            "name": "level",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 6, "default": 2},
                            "description": "department level for by=department",
                        },
                        {
                            "name": "include",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["negative_share", ""]},
                            "description": (
                                "negative_share: add negative_comment_share to groups meeting k_text; empty: nothing"
                            ),
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "results",
                            **_json(
                                {
                                    "type": "object",
                                    "required": ["campaign", "overall", "segments"],
                                    "properties": {
                                        "campaign": _ref("Campaign"),
                                        "by": {"type": "string"},
                                        "level": {"type": "integer"},
                                        "overall": _ref("Group"),
                                        "segments": {"type": "array", "items": _ref("Group")},
                                    },
                                }
                            ),
                        },
                        **_errors(e400="bad parameter", **signed_in, e404="no such campaign"),
                    },
                }
            },
            "/api/v1/theme-runs/{run_id}": {
                "get": {
                    "summary": (
                        "A theme run: status, stage, progress, parameters, code and dictionary version (manager)"
                    ),
                    "parameters": [_path_id("run_id")],
                    "responses": {
                        "200": {"description": "the run", **_json(_ref("ThemeRun"))},
                        **_errors(**signed_in, e404="no such run"),
                    },
                }
            },
            "/api/v1/theme-runs/{run_id}/themes": {
                "get": {
                    "summary": "Themes of a run; `members` only for themes with at least k_text respondents (manager)",
                    "parameters": [_path_id("run_id")],
                    "responses": {
                        "200": {"description": "themes", **_json({"type": "array", "items": _ref("Theme")})},
                        **_errors(**signed_in, e404="no such run"),
                    },
                }
            },
            "/api/v1/suggestions": {
                "get": {
                    "summary": "Published suggestions (public)",
                    "security": [],
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"type": "string", "enum": [*STATUS_LABELS, ""]},
                            "description": "empty: every status",
                        },
                        {
                            "name": "module",
                            "in": "query",
                            "schema": {"type": "string", "enum": [*MODULES, ""]},
                            "description": "empty: every module",
                        },
                    ],
                    "responses": {
                        "200": {"description": "suggestions", **_json({"type": "array", "items": _ref("Suggestion")})},
                        **_errors(e400="bad filter"),
                    },
                },
                "post": {
                    "summary": "Propose a suggestion (manager or committee); status submitted",
                    "requestBody": {"required": True, **_json(NEW_SUGGESTION)},
                    "responses": {
                        "201": {"description": "created", **_json(_ref("Suggestion"))},
                        **_errors(
                            e400="not a JSON object, or a cookie session without X-CSRFToken",
                            **signed_in,
                            e422="invalid fields",
                        ),
                    },
                },
            },
            "/api/v1/suggestions/{suggestion_id}/transitions": {
                "post": {
                    "summary": "Change a suggestion's status (committee)",
                    "parameters": [_path_id("suggestion_id")],
                    "requestBody": {"required": True, **_json(TRANSITION)},
                    "responses": {
                        "200": {"description": "the suggestion", **_json(_ref("Suggestion"))},
                        **_errors(
                            e400="not a JSON object with a string `to`, or a cookie session without X-CSRFToken",
                            e401="not signed in",
                            e403="not committee",
                            e404="no such suggestion",
                            e409="unknown status, or not allowed from the current one",
                            e422="a field of the wrong type, text that cannot be stored, or a decision "
                            "missing what it needs",
                        ),
                    },
                }
            },
            "/api/v1/suggestions/{suggestion_id}/publish": {
                "post": {
                    "summary": "Publish a suggestion on the board (committee); it stays public with every later status",
                    "parameters": [_path_id("suggestion_id")],
                    "responses": {
                        "200": {"description": "the suggestion", **_json(_ref("Suggestion"))},
                        **_errors(
                            e400="a cookie session without X-CSRFToken",
                            e401="not signed in",
                            e403="not committee",
                            e404="no such suggestion",
                        ),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI document", **_json({"type": "object"})}},
                }
            },
        },
    }
