"""The people directory: importing employees and departments from CSV/XLSX files."""
