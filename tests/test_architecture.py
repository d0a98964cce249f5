"""The rules of ARCHITECTURE.md, checked by reading the imports of every module in src/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "showrunner"
STAGES = {"transcribe", "split", "notes", "audio", "render", "feed", "deploy", "tidy"}
FLOOR = {"model", "config", "schema", "errors", "atomic", "templating", "layout", "transcripts",
         "chapters", "digest", "deploy_settings", "podcast_tags", "import_record",
         "episode_tracks", "yamlread", "tidy_settings"}
ORCHESTRATORS = {"cli", "pipeline", "scaffold", "demo", "synth", "preview", "catalogue"}
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def _dotted(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every showrunner module `path` imports, absolute, with its line."""
    here = _dotted(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            if not module.startswith("showrunner"):
                continue
            # `from . import x` and `from showrunner import x` name modules; otherwise the
            # module is the one named after `from`.
            names = [f"{module}.{a.name}" for a in node.names] \
                if node.module is None or module == "showrunner" else [module]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names
                      if a.name.startswith("showrunner")]
    return found


def _room(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else ""


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_stage_imports_another_stages_internals(path: Path) -> None:
    mine = _room(_dotted(path))
    for line, target in _imports(path):
        room = _room(target)
        if room in STAGES and room != mine:
            assert target == f"showrunner.{room}", \
                f"{path.name}:{line} imports {target}: use the {room} package's public names"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_floor_and_the_stages_never_import_upwards(path: Path) -> None:
    mine = _room(_dotted(path))
    allowed = FLOOR if mine in FLOOR else FLOOR | STAGES if mine in STAGES else None
    if allowed is None:
        assert mine in ORCHESTRATORS | {""}, f"{path}: add its room to ARCHITECTURE.md"
        return
    for line, target in _imports(path):
        assert _room(target) in allowed, f"{path.name}:{line} imports {target}"


def test_every_room_is_named_in_architecture_md() -> None:
    rooms = {_room(_dotted(p)) for p in MODULES} - {""}
    text = (PACKAGE.parent.parent / "ARCHITECTURE.md").read_text()
    assert rooms <= STAGES | FLOOR | ORCHESTRATORS
    assert all(f"`{room}" in text for room in rooms), rooms


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_stay_small(path: Path) -> None:
    source = path.read_text()
    assert len(source.splitlines()) <= 400, f"{path}: split it"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            assert length <= 40, f"{path.name}:{node.lineno} {node.name} is {length} lines"


@pytest.mark.parametrize("path", sorted((PACKAGE / "deploy").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_deploy_stands_on_the_floor_alone(path: Path) -> None:
    # It sends what the other stages made; it never runs them.
    for line, target in _imports(path):
        assert _room(target) in FLOOR | {"deploy"}, f"{path.name}:{line} imports {target}"
