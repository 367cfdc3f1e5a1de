"""The OpenAPI 3.1 description of `/api/v1`; a test checks that every API route is in it."""

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
        "negative_comment_share": {"type": "number", "description": "share of commenting respondents with a "
                                   "negative comment; only for groups of at least k_text"},
        "barrier_points": {"type": ["object", "null"], "additionalProperties": {"type": "integer"}},
    },
}
ERROR = {"type": "object", "properties": {"error": {"type": ["string", "integer"]}, "message": {"type": "string"}}}


def openapi_document(server: str) -> dict:
    error_response = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "ChangePulse API", "version": "1",
                 "description": "变革脉搏 JSON API. Authenticate with the session cookie or `Authorization: Bearer <token>` "
                                "(tokens from the admin users page or `flask users token EMAIL`)."},
        "servers": [{"url": server}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "session": {"type": "apiKey", "in": "cookie", "name": "session"}},
            "schemas": {"Scores": SCORES, "Group": GROUP, "Error": ERROR},
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/api/v1/campaigns": {"get": {
                "summary": "Campaigns with response rates (manager, admin)",
                "responses": {"200": {"description": "campaigns", "content": {"application/json": {"schema": {
                    "type": "array", "items": {"type": "object"}}}}},
                    "401": {"description": "not signed in", **error_response},
                    "403": {"description": "role not allowed", **error_response}}}},
            "/api/v1/campaigns/{campaign_id}/results": {"get": {
                "summary": "Results of a campaign by segment, released through the anonymity rules (manager)",
                "parameters": [
                    {"name": "campaign_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "by", "in": "query", "schema": {"type": "string", "enum": ["role", "department", "wave", "quarter"], "default": "role"}},
                    {"name": "level", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 6, "default": 2},
                     "description": "department level for by=department"},
                    {"name": "include", "in": "query", "schema": {"type": "string", "enum": ["negative_share"]},
                     "description": "negative_share: add negative_comment_share to groups meeting k_text"},
                ],
                "responses": {
                    "200": {"description": "results", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["campaign", "overall", "segments"],
                        "properties": {"campaign": {"type": "object"}, "by": {"type": "string"},
                                       "overall": {"$ref": "#/components/schemas/Group"},
                                       "segments": {"type": "array", "items": {"$ref": "#/components/schemas/Group"}}}}}}},
                    "400": {"description": "bad parameter", **error_response},
                    "401": {"description": "not signed in", **error_response},
                    "403": {"description": "role not allowed", **error_response},
                    "404": {"description": "no such campaign", **error_response}}}},
            "/api/v1/theme-runs/{run_id}": {"get": {
                "summary": "A theme run: status, stage, progress, parameters, code and dictionary version (manager)",
                "parameters": [{"name": "run_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "the run"}, "401": {"description": "not signed in", **error_response},
                              "403": {"description": "role not allowed", **error_response},
                              "404": {"description": "no such run", **error_response}}}},
            "/api/v1/theme-runs/{run_id}/themes": {"get": {
                "summary": "Themes of a run; `members` only for themes with at least k_text respondents (manager)",
                "parameters": [{"name": "run_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "themes", "content": {"application/json": {"schema": {
                    "type": "array", "items": {"type": "object", "properties": {
                        "id": {"type": "integer"}, "label": {"type": "string"}, "keywords": {"type": "array", "items": {"type": "string"}},
                        "size": {"type": "integer"}, "respondents": {"type": "integer"}, "negative_share": {"type": "number"},
                        "recurring_quarters": {"type": "array", "items": {"type": "string"}},
                        "representatives": {"type": "array", "items": {"type": "string"}},
                        "members": {"type": "array", "items": {"type": "object", "properties": {
                            "answer_id": {"type": "string"}, "text": {"type": "string"}}}}}}}}}},
                    "401": {"description": "not signed in", **error_response},
                    "403": {"description": "role not allowed", **error_response},
                    "404": {"description": "no such run", **error_response}}}},
            "/api/v1/suggestions": {
                "get": {"summary": "Published suggestions (public)", "security": [],
                        "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": [
                            "submitted", "under_review", "adopted", "declined", "merged", "in_progress", "implemented"]}},
                            {"name": "module", "in": "query", "schema": {"type": "string"}}],
                        "responses": {"200": {"description": "suggestions"}, "400": {"description": "bad filter", **error_response}}},
                "post": {"summary": "Propose a suggestion (manager or committee); status submitted",
                         "requestBody": {"required": True, "content": {"application/json": {"schema": {
                             "type": "object", "required": ["title"], "properties": {
                                 "title": {"type": "string", "maxLength": 200}, "description": {"type": "string"},
                                 "module": {"type": "string"}, "theme_ids": {"type": "array", "items": {"type": "integer"}}}}}}},
                         "responses": {"201": {"description": "created, with its id"},
                                       "400": {"description": "not JSON or missing CSRF header", **error_response},
                                       "401": {"description": "not signed in", **error_response},
                                       "403": {"description": "role not allowed", **error_response},
                                       "422": {"description": "invalid fields", **error_response}}}},
            "/api/v1/suggestions/{suggestion_id}/transitions": {"post": {
                "summary": "Change a suggestion's status (committee)",
                "parameters": [{"name": "suggestion_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["to"], "properties": {
                        "to": {"type": "string"}, "note": {"type": "string"}, "owner": {"type": "string", "format": "email"},
                        "target_quarter": {"type": "string", "pattern": "^20\\d\\dQ[1-4]$"},
                        "merged_into": {"type": "integer"}}}}}},
                "responses": {"200": {"description": "the suggestion"}, "400": {"description": "bad body", **error_response},
                              "401": {"description": "not signed in", **error_response},
                              "403": {"description": "not committee", **error_response},
                              "404": {"description": "no such suggestion", **error_response},
                              "409": {"description": "illegal transition", **error_response},
                              "422": {"description": "incomplete transition", **error_response}}}},
            "/api/v1/suggestions/{suggestion_id}/publish": {"post": {
                "summary": "Publish a suggestion on the board (committee); it stays public with every later status",
                "parameters": [{"name": "suggestion_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "the suggestion"}, "401": {"description": "not signed in", **error_response},
                              "403": {"description": "not committee", **error_response},
                              "404": {"description": "no such suggestion", **error_response}}}},
            "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [],
                                             "responses": {"200": {"description": "OpenAPI document"}}}},
        },
    }
