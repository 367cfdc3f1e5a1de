"""The public board: published suggestions and their status, the suggestion box, receipts."""
