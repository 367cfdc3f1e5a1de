"""Survey instruments as data: definitions, validation, WTForms form building and scoring.

Pure Python (wtforms, pandas, numpy, PyYAML, Babel, stdlib); never imports flask or app.
"""

from surveys.definitions import (
    InstrumentError,
    Problem,
    builtin_instruments,
    builtin_names,
    definition_hash,
    from_dict,
    from_yaml,
    load_builtin,
    load_instrument,
    to_dict,
    to_yaml,
)
from surveys.forms import answers_from_form, build_form_class
from surveys.model import Instrument, Option, Question, Scale, ShowIf
from surveys.scoring import (
    barrier_distribution,
    barrier_point,
    cronbach_alpha,
    enps,
    scale_alphas,
    score_frame,
    score_response,
    sus_score,
)

__all__ = [
    "Instrument",
    "InstrumentError",
    "Option",
    "Problem",
    "Question",
    "Scale",
    "ShowIf",
    "answers_from_form",
    "barrier_distribution",
    "barrier_point",
    "build_form_class",
    "builtin_instruments",
    "builtin_names",
    "cronbach_alpha",
    "definition_hash",
    "enps",
    "from_dict",
    "from_yaml",
    "load_builtin",
    "load_instrument",
    "scale_alphas",
    "score_frame",
    "score_response",
    "sus_score",
    "to_dict",
    "to_yaml",
]
