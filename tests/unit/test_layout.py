"""The layout of the code (issue 9): read every module under portal/ and backoffice/
with ``ast``, imports inside functions included, and check

- that no two modules import each other, directly or round a longer loop;
- that no module uses a name starting with ``_`` from another module
  (``from x import _name`` or ``x._name``);
- the layers: rules are pure; the document pipeline and the infrastructure never reach
  up into the services or the faces; services never reach into a face, and only an
  area's ``tasks`` module touches the job queue;
- that no service module grows past about 600 lines.

Nothing is imported or run: the checks read the source as text, so a cycle hidden in a
function that no test calls is found as well.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("portal", "backoffice")
#: A service module may be longer than this only when it is one thing.
SERVICE_LINES_MAX = 600
#: Modules over the limit that are one thing each, with why.
ONE_THING = {
    # "portal.services.<module>": "what the one thing is, and why splitting it would not help",
}


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    tree: ast.Module
    imports: list[tuple[str, int]] = field(default_factory=list)  # (module, line)
    private_uses: list[tuple[str, str, int]] = field(default_factory=list)  # (module, name, line)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _read() -> dict[str, Module]:
    mods = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = _module_name(path)
            mods[name] = Module(name, path, path.name == "__init__.py", ast.parse(path.read_text(encoding="utf-8")))
    for mod in mods.values():
        _collect(mod, mods)
    return mods


def _absolute(mod: Module, module: str | None, level: int) -> str:
    if level == 0:
        return module or ""
    base = mod.name.split(".") if mod.is_package else mod.name.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _owner(name: str, mods: dict[str, Module]) -> str | None:
    """The project module a dotted name lives in (the longest prefix that is one)."""
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def _collect(mod: Module, mods: dict[str, Module]) -> None:
    bound: dict[str, str] = {}  # local name -> project module it is bound to
    for node in ast.walk(mod.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _owner(alias.name, mods)
                if target:
                    mod.imports.append((target, node.lineno))
                    if alias.asname:
                        bound[alias.asname] = target
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(mod, node.module, node.level)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if full in mods:  # a module: from portal.services import copies
                    mod.imports.append((full, node.lineno))
                    bound[alias.asname or alias.name] = full
                    continue
                target = _owner(base, mods)
                if target:
                    mod.imports.append((target, node.lineno))
                    if alias.name.startswith("_") and target != mod.name:
                        mod.private_uses.append((target, alias.name, node.lineno))
    for node in ast.walk(mod.tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr.startswith("_")
                and not node.attr.startswith("__") and node.value.id in bound and bound[node.value.id] != mod.name):
            mod.private_uses.append((bound[node.value.id], node.attr, node.lineno))


MODULES = _read()


def _cycles(mods: dict[str, Module]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph = {name: sorted({t for t, _ in m.imports if t != name}) for name, m in mods.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    return found


def _where(mod: str, target: str) -> str:
    lines = sorted({line for t, line in MODULES[mod].imports if t == target})
    return f"{MODULES[mod].path.relative_to(ROOT)}:{','.join(map(str, lines))}"


def test_the_reader_sees_imports_inside_functions():
    """The check would be worthless if it missed the imports that hid the old cycle."""
    tree = ast.parse("def f():\n    from .copies import plan\n")
    mod = Module("portal.services.x", ROOT / "portal/services/x.py", False, tree)
    fake = {"portal.services.x": mod, "portal.services.copies": mod}
    _collect(mod, fake)
    assert ("portal.services.copies", 2) in mod.imports


def test_the_cycle_finder_finds_a_loop_of_three():
    def module(name, *targets):
        m = Module(name, ROOT / "x.py", False, ast.parse(""))
        m.imports = [(t, 1) for t in targets]
        return m

    mods = {"a": module("a", "b"), "b": module("b", "c"), "c": module("c", "a"), "d": module("d", "a")}
    assert _cycles(mods) == [["a", "b", "c"]]


def test_no_import_cycles_between_modules():
    cycles = _cycles(MODULES)
    report = []
    for component in cycles:
        members = set(component)
        for name in component:
            for target in sorted({t for t, _ in MODULES[name].imports if t in members and t != name}):
                report.append(f"{name} -> {target} ({_where(name, target)})")
    assert not cycles, "import cycles:\n" + "\n".join(report)


def test_no_module_uses_another_modules_private_names():
    uses = [f"{m.path.relative_to(ROOT)}:{line} uses {target}.{name}"
            for m in MODULES.values() for target, name, line in m.private_uses]
    assert not uses, "\n".join(uses)


def _imports_under(mod: Module, *prefixes: str) -> list[str]:
    return sorted({f"{t} (line {line})" for t, line in mod.imports
                   if any(t == p or t.startswith(p + ".") for p in prefixes)})


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("portal.rules")))
def test_rules_are_pure(name):
    """portal/rules/: no Flask app, no database, no service, no face (README, Layout)."""
    mod = MODULES[name]
    outside = sorted({t for t, _ in mod.imports if not t.startswith("portal.rules")})
    assert not outside, f"{name} imports {outside}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith(("portal.documents", "portal.infra"))))
def test_the_document_pipeline_and_infrastructure_never_reach_up(name):
    mod = MODULES[name]
    up = _imports_under(mod, "portal.services", "portal.public", "backoffice", "portal.cli")
    if name == "portal.infra.jobs":
        up += _imports_under(mod, "portal")  # the queue knows no app: the worker brings it
        up = [u for u in up if not u.startswith("portal.config ")]
    assert not up, f"{name} imports {up}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("portal.services")))
def test_services_never_reach_into_a_face_or_the_queue(name):
    mod = MODULES[name]
    faces = _imports_under(mod, "portal.public", "backoffice", "portal.cli")
    assert not faces, f"{name} imports {faces}"
    if not name.endswith(".tasks"):
        queue = _imports_under(mod, "portal.infra.jobs")
        assert not queue, f"{name} enqueues itself ({queue}): the caller does, through the area's tasks module"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("portal.services")))
def test_service_modules_hold_one_thing(name):
    path = MODULES[name].path
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= SERVICE_LINES_MAX or name in ONE_THING, (
        f"{path.relative_to(ROOT)} has {lines} lines: split it by the thing a person does")


def _tables_of_contents() -> list[str]:
    """Packages whose __init__ is a lazy table (``CONTENTS``) of where each name lives."""
    return sorted(name for name, m in MODULES.items() if m.is_package and any(
        isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "CONTENTS" for t in node.targets)
        for node in m.tree.body))


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("portal.services")))
def test_services_import_the_module_they_need_not_a_table_of_contents(name):
    """A package's table of contents is for the faces and the CLI: inside the service
    layer every import names the module, so the cycle check above sees every arrow."""
    tables = set(_tables_of_contents())
    via_table = sorted({f"{t} (line {line})" for t, line in MODULES[name].imports if t in tables})
    assert not via_table, f"{name} imports {via_table}: import the submodule instead"


@pytest.mark.parametrize("package", _tables_of_contents())
def test_every_name_in_a_table_of_contents_is_where_it_says(package):
    import importlib

    pkg = importlib.import_module(package)
    for name, module in pkg.CONTENTS.items():
        sub = importlib.import_module(f"{package}.{module}")
        assert name in vars(sub), f"{package}.CONTENTS says {name} is in {module}"
        assert getattr(pkg, name) is vars(sub)[name], (
            f"{package}.{name} is not the {name} of {module}: a submodule with the same name as a function "
            "hides the function once imported; give the submodule another name")
    with pytest.raises(AttributeError):
        getattr(pkg, "no_such_name")
