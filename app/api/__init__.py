"""JSON API v1: session or `Authorization: Bearer <token>` authentication, OpenAPI description."""
