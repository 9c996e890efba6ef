"""recommendations/engine/ is plain Python: no Django, and no SciPy or LightFM until a model
is trained or loaded."""

import ast
import subprocess
import sys
from pathlib import Path

import recommendations.engine

ENGINE = Path(recommendations.engine.__file__).parent


def engine_modules() -> list[str]:
    return sorted(
        "recommendations.engine." + ".".join(path.relative_to(ENGINE).with_suffix("").parts)
        for path in ENGINE.rglob("*.py")
        if path.name != "__init__.py"
    )


def imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def run_python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_no_engine_module_imports_django_or_the_app_around_it():
    offenders = {
        str(path.relative_to(ENGINE)): sorted(
            name
            for name in imported_names(path)
            if name.split(".")[0] == "django"
            or (
                name.startswith("recommendations.")
                and not name.startswith("recommendations.engine")
            )
        )
        for path in ENGINE.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_every_engine_module_imports_without_django_scipy_or_lightfm():
    modules = engine_modules()
    assert "recommendations.engine.recommender" in modules
    loaded = run_python(
        f"import importlib, sys; [importlib.import_module(m) for m in {modules!r}]; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'scipy', 'lightfm'}))"
    )
    assert loaded == "[]"


def test_web_processes_do_not_import_scipy():
    loaded = run_python(
        "import django, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'microvid.settings'); django.setup(); import recommendations.selectors, "
        "recommendations.registry, recommendations.views, feeds.views; "
        "print('scipy' in sys.modules)"
    )
    assert loaded == "False"
