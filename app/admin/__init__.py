"""Administration: people directory, staff accounts and API tokens."""
