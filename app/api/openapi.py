"""The OpenAPI 3.1 description of `/api/v1`; a test checks that every API route is in it, and a schemathesis
test in the suite sends generated requests to every operation and checks the answers against it.

Every schema in it, of bodies, parameters and answers, is generated from the models of `app.api.schemas`,
which the views validate with, so the document cannot drift from the API.
"""

from app.api import schemas
from app.api.schemas import ref
from app.models.types import MAX_ID

ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(**described: str) -> dict:
    """Error responses by status code (`e404="no such campaign"`), each a JSON `Error`."""
    return {
        code.removeprefix("e"): {"description": text, **_json(ref(schemas.ErrorBody))}
        for code, text in described.items()
    }


def _path_id(name: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": ID,
        "description": "404 for an id no row has, including one outside 1…2³¹−1",
    }


def openapi_document(server: str, modules: schemas.ModuleSets) -> dict:
    """The document, with the module enums of the instruments in use."""
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
            "schemas": schemas.component_schemas(modules),
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/api/v1/campaigns": {
                "get": {
                    "summary": "Campaigns with response rates (manager, admin)",
                    "responses": {
                        "200": {"description": "campaigns", **_json({"type": "array", "items": ref(schemas.Campaign)})},
                        **_errors(**signed_in),
                    },
                }
            },
            "/api/v1/campaigns/{campaign_id}/results": {
                "get": {
                    "summary": "Results of a campaign by segment, released through the anonymity rules (manager)",
                    "parameters": [_path_id("campaign_id"), *schemas.query_parameters(schemas.ResultsQuery)],
                    "responses": {
                        "200": {
                            "description": "results",
                            **_json(ref(schemas.Results)),
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
                        "200": {"description": "the run", **_json(ref(schemas.ThemeRun))},
                        **_errors(**signed_in, e404="no such run"),
                    },
                }
            },
            "/api/v1/theme-runs/{run_id}/themes": {
                "get": {
                    "summary": (
                        "Themes of a run with at least k_text respondents each, with their members; smaller themes "
                        "are only counted (`small_themes` of the run) (manager)"
                    ),
                    "parameters": [_path_id("run_id")],
                    "responses": {
                        "200": {"description": "themes", **_json({"type": "array", "items": ref(schemas.Theme)})},
                        **_errors(**signed_in, e404="no such run"),
                    },
                }
            },
            "/api/v1/suggestions": {
                "get": {
                    "summary": "Published suggestions (public)",
                    "security": [],
                    "parameters": schemas.query_parameters(schemas.SuggestionsQuery, modules),
                    "responses": {
                        "200": {
                            "description": "suggestions",
                            **_json({"type": "array", "items": ref(schemas.Suggestion)}),
                        },
                        **_errors(e400="bad filter"),
                    },
                },
                "post": {
                    "summary": "Propose a suggestion (manager or committee); status submitted",
                    "requestBody": {"required": True, **_json(ref(schemas.NewSuggestion))},
                    "responses": {
                        "201": {"description": "created", **_json(ref(schemas.Suggestion))},
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
                    "requestBody": {"required": True, **_json(ref(schemas.Transition))},
                    "responses": {
                        "200": {"description": "the suggestion", **_json(ref(schemas.Suggestion))},
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
                        "200": {"description": "the suggestion", **_json(ref(schemas.Suggestion))},
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
