"""The pure packages' messages come from the project's one Babel catalogue, without Flask."""

import subprocess
import sys
from pathlib import Path

from analysis.privacy import BELOW_K, DIFFERENCING, suppression_message
from surveys.i18n import gettext, translations


def test_chinese_is_the_source_language_and_needs_no_catalogue():
    assert gettext("不足 %(k)s 人", "zh", k=5) == "不足 5 人"


def test_english_comes_from_the_app_catalogue():
    assert gettext("不足 %(k)s 人", "en", k=5) == "fewer than 5"
    assert gettext("请回答这道题", "en") == "Please answer this question"


def test_a_language_without_a_catalogue_reads_chinese():
    assert gettext("请回答这道题", "fr") == "请回答这道题"


def test_the_catalogue_directory_can_be_passed_in(tmp_path):
    assert translations("en", tmp_path).gettext("请回答这道题") == "请回答这道题"


def test_suppression_messages_in_english():
    assert suppression_message(BELOW_K, 5, "en") == "fewer than 5"
    assert suppression_message(DIFFERENCING, 10, "en") == "hidden so that no small group can be worked out"
    assert suppression_message(DIFFERENCING, 10) == "为防止推算而隐藏"


def test_translating_imports_neither_flask_nor_the_app():
    code = (
        "import sys, surveys.i18n, surveys.forms, analysis.privacy; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'flask_babel', 'app'}))"
    )
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert result.stdout.strip() == "[]"
