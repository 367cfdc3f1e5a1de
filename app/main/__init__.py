"""Landing page, language switch and health check."""
