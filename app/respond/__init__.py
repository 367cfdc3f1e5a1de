"""Employees answering a survey: invitation links, the one-page form, anonymous submission, receipts."""
