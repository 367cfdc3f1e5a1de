"""Survey instruments as data: definitions, validation, WTForms form building and scoring.

Pure Python (wtforms, pandas, numpy, stdlib); never imports flask or app.
"""
