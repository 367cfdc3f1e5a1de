"""Comment themes: theme runs as background jobs, manager review, recurrence across quarters."""
