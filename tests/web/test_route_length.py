"""Views are thin (STYLE.md 15): parse, call the domain, render. No view function is longer than 30 lines."""

import ast
import inspect
import textwrap

MAX_LINES = 30


def view_length(view) -> int:
    """Lines from `def` to the end of the body: decorators do not count, the docstring does."""
    lines, _start = inspect.getsourcelines(inspect.unwrap(view))
    function = ast.parse(textwrap.dedent("".join(lines))).body[0]
    return function.end_lineno - function.lineno + 1


def test_no_view_function_is_longer_than_30_lines(app):
    too_long = {
        endpoint: view_length(view)
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and view_length(view) > MAX_LINES
    }
    assert too_long == {}


def test_decorators_are_not_counted():
    def decorate(function):
        return function

    @decorate
    @decorate
    def view():
        return 1

    assert view_length(view) == 2
