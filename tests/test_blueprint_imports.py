"""A blueprint imports domain modules and `app.models`, never another blueprint's `routes` or `cli`.

What two blueprints need lives in a domain module (ARCHITECTURE.md, "Layers"). The factory
(`app/__init__.py`) and the other modules at the top of `app/` are no blueprint: they register them.
"""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
VIEW_MODULES = ("routes", "cli")


def blueprint_of(path: Path, root: Path) -> str | None:
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else None


def imported_modules(path: Path, root: Path) -> set[str]:
    """Every module a file imports, anywhere in it (also inside functions), as absolute dotted names."""
    package = ".".join(("app", *path.relative_to(root).parent.parts))
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def cross_blueprint_imports(root: Path = APP) -> set[tuple[str, str]]:
    """(file, module) for every import of another blueprint's routes or cli under `root` (laid out as app/)."""
    offenders = set()
    for path in sorted(root.rglob("*.py")):
        own = blueprint_of(path, root)
        if own is None:
            continue
        for module in imported_modules(path, root):
            parts = module.split(".")
            if len(parts) == 3 and parts[0] == "app" and parts[2] in VIEW_MODULES and parts[1] != own:
                offenders.add((f"app/{path.relative_to(root).as_posix()}", module))
    return offenders


def test_no_blueprint_imports_another_blueprint_s_routes_or_cli():
    assert cross_blueprint_imports() == set()


def test_every_form_of_the_import_is_found(tmp_path):
    root = tmp_path / "app"
    (root / "main").mkdir(parents=True)
    (root / "main" / "routes.py").write_text(
        "import app.auth.routes\n"
        "from app.auth.routes import home_for\n"
        "from app.results import routes\n"
        "from ..themes import cli\n"
        "def later():\n"
        "    from app.board.cli import x\n"
        "from app.main.cli import fine\n"
        "from app.auth.service import fine_too\n",
        encoding="utf-8",
    )
    found = cross_blueprint_imports(root)
    assert {module for _, module in found} == {
        "app.auth.routes",
        "app.results.routes",
        "app.themes.cli",
        "app.board.cli",
    }
    assert {path for path, _ in found} == {"app/main/routes.py"}
