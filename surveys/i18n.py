"""Messages of the pure packages in the reader's language, from the project's one Babel catalogue, without Flask.

Chinese strings are the msgids (Chinese first), so Chinese needs no catalogue; any other language reads the
compiled catalogue `<directory>/<language>/LC_MESSAGES/messages.mo` — by default the project's catalogue
beside this package (`app/translations`, the one Flask-Babel serves), so a message has one translation
whichever layer shows it. A language without a catalogue gets the Chinese msgid.
"""

from __future__ import annotations

from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path

from babel.support import Translations

SOURCE_LANGUAGE = "zh"
CATALOGUE_DIRECTORY = Path(__file__).resolve().parent.parent / "app" / "translations"


@lru_cache(maxsize=16)
def translations(language: str, directory: Path = CATALOGUE_DIRECTORY) -> NullTranslations:
    """The compiled catalogue of `language` (cached per process), or the msgids themselves."""
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(directory), [language])


def gettext(message: str, language: str, **values: object) -> str:
    """`message` (a Chinese msgid with `%(name)s` placeholders) in `language`, filled with `values`."""
    text = translations(language).gettext(message)
    return text % values if values else text
