"""The improvement committee: suggestions, decisions and publishing."""
