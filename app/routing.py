"""URL converters: every `<int:…>` in a route names a database row, so it only matches ids 1..MAX_ID."""

from werkzeug.routing import IntegerConverter

from app.models.types import MAX_ID


class IdConverter(IntegerConverter):
    """The `int` converter bounded to the ids an Integer column can hold: a larger number is a 404.

    Without the bound, /campaigns/10000000000000000000000 reached the database driver, which cannot
    bind it (SQLite: OverflowError; PostgreSQL: integer out of range) and the page answered 500.
    """

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app) -> None:
    app.url_map.converters["int"] = IdConverter
