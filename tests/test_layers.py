"""The house's import rules, read from the code (docs/architecture.md, Layers).

Every first-party import is read with `ast`, at module level and inside functions alike (a
function-level import is still a dependency), and so is every module a URL conf names as a
string in `include("app.urls")`. A package may import its own modules and any package on a
lower layer; never one on its own layer or above. No two modules import each other, directly
or around a longer loop. The recommender's engine is plain Python. The benchmarks (`bench/`)
and the developers' scripts (`scripts/`) sit on top: they may use the whole project, and
nothing in it may import them.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. Packages on one layer may not import each other either.
LAYERS = [
    ["core"],
    ["accounts"],
    ["videos"],
    ["social"],
    ["moderation"],
    ["recommendations"],
    ["feeds", "search", "analytics"],
    ["pages"],
    ["microvid"],
    # Not part of the site: benchmarks and scripts use it (and scripts use bench's helpers).
    ["bench"],
    ["scripts"],
]
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}

# Plain-Python packages inside an app: they may import nothing of Django or of the project
# outside themselves, so that workers, notebooks and benchmarks can use them alone.
PLAIN_PACKAGES = ["recommendations/engine"]


def _modules():
    for package in RANK:
        folder = ROOT / package
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            if "migrations" in path.parts:
                # Migrations are frozen history; they import only their own app.
                continue
            yield path


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _included_module(node: ast.Call) -> str | None:
    """The module named in `include("app.urls")` or `include(("app.urls", "namespace"))`."""
    function = node.func
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", None)
    if name != "include" or not node.args:
        return None
    argument = node.args[0]
    if isinstance(argument, ast.Tuple) and argument.elts:
        argument = argument.elts[0]
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return argument.value
    return None


def _imports(path: Path, module_name: str | None = None) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, resolved to absolute module names, and,
    in a URL conf, every module it includes by name."""
    tree = ast.parse(path.read_text(), filename=str(path))
    here = (module_name or _module_name(path)).split(".")
    is_package = path.name == "__init__.py"
    is_url_conf = path.name.endswith("urls.py")
    found = []
    for node in ast.walk(tree):
        if is_url_conf and isinstance(node, ast.Call) and _included_module(node):
            found.append((node.lineno, _included_module(node)))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_package else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from package import module` names a module too.
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def _first_party(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in RANK else None


def test_no_package_imports_its_own_layer_or_above():
    wrong = []
    for path in _modules():
        package = path.relative_to(ROOT).parts[0]
        for line, module in _imports(path):
            target = _first_party(module)
            if target is None or target == package:
                continue
            if RANK[target] >= RANK[package]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not wrong, "Imports that run up or across the layers:\n" + "\n".join(sorted(set(wrong)))


def test_no_two_modules_import_each_other():
    known = {_module_name(path): path for path in _modules()}
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for _line, module in _imports(path):
            if module in known and module != name:
                graph[name].add(module)

    # Tarjan's strongly connected components: any component of more than one module is a loop.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert not loops, "Modules that import each other: " + "; ".join(" <-> ".join(c) for c in loops)


@pytest.mark.parametrize("plain", PLAIN_PACKAGES)
def test_plain_packages_import_neither_django_nor_the_project(plain):
    folder = ROOT / plain
    if not folder.is_dir():
        pytest.skip(f"{plain} does not exist yet")
    own = plain.replace("/", ".")
    wrong = []
    for path in sorted(folder.rglob("*.py")):
        for line, module in _imports(path):
            top = module.split(".")[0]
            outside_project = _first_party(module) and not module.startswith(own)
            if top in {"django", "rest_framework", "celery", "channels"} or outside_project:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_the_checker_sees_a_wrong_import(tmp_path):
    # The rules above would pass on a checker that reads nothing: show that it reads.
    sample = tmp_path / "sample.py"
    sample.write_text("from feeds.views import render_feed\n\ndef f():\n    import videos.tasks\n")
    assert [module for _line, module in _imports(sample, "videos.sample")] == [
        "feeds.views",
        "feeds.views.render_feed",
        "videos.tasks",
    ]


def test_the_checker_reads_the_url_confs_included_by_name(tmp_path):
    urls = tmp_path / "urls.py"
    urls.write_text(
        "from django.urls import include, path\n\n"
        "urlpatterns = [\n"
        '    path("", include("feeds.urls")),\n'
        '    path("api/", include(("search.api_urls", "search-api"))),\n'
        '    path("", include(patterns)),\n'
        "]\n"
    )
    included = [module for _line, module in _imports(urls, "videos.urls")]
    assert "feeds.urls" in included
    assert "search.api_urls" in included


def test_nothing_in_the_project_may_import_the_benchmarks_or_the_scripts():
    site = [package for package in RANK if package not in {"bench", "scripts"}]
    assert all(RANK[package] < RANK["bench"] < RANK["scripts"] for package in site)
