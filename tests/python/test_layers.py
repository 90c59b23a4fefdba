"""zaitaku is built in floors: each module imports only modules of its own
floor or of floors below it, and no modules import each other in a circle
(issue 12). Every module's imports are read with ast, function-level
imports included, and resolved to the module they load.

The table is the same as the README's "Layout" section and
docs/architecture.md. Lowest floor first:

| floor      | modules                                                        |
|------------|----------------------------------------------------------------|
| vocabulary | zaitaku.errors, zaitaku.units, zaitaku.kinds, zaitaku.columns, zaitaku._version |
| ffi        | zaitaku._ffi, zaitaku._libcoverage, zaitaku._build             |
| readers    | zaitaku.outputs, zaitaku.inputs, zaitaku.mesh, zaitaku.sample, zaitaku.network, zaitaku._roads_io |
| maps       | zaitaku.maps                                                   |
| analysis   | zaitaku.analysis                                               |
| planning   | zaitaku.planning                                               |
| official   | zaitaku.official                                               |
| report     | zaitaku.report                                                 |
| cli        | zaitaku.cli, zaitaku.__main__                                  |
| package    | zaitaku                                                        |
"""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

import zaitaku

PACKAGE = Path(zaitaku.__file__).resolve().parent

#: The floors, lowest first (a name covers the module and everything under it).
FLOORS = [
    ("vocabulary", ["zaitaku.errors", "zaitaku.units", "zaitaku.kinds", "zaitaku.columns",
                    "zaitaku._version"]),
    ("ffi", ["zaitaku._ffi", "zaitaku._libcoverage", "zaitaku._build"]),
    ("readers", ["zaitaku.outputs", "zaitaku.inputs", "zaitaku.mesh", "zaitaku.sample",
                 "zaitaku.network", "zaitaku._roads_io"]),
    ("maps", ["zaitaku.maps"]),
    ("analysis", ["zaitaku.analysis"]),
    ("planning", ["zaitaku.planning"]),
    ("official", ["zaitaku.official"]),
    ("report", ["zaitaku.report"]),
    ("cli", ["zaitaku.cli", "zaitaku.__main__"]),
    ("package", ["zaitaku"]),
]

#: The one import that points up, by name: Analysis.report() (a method of
#: the analysis floor) hands the analysis to the report floor's builder
#: through a function-level import, as pandas' DataFrame.plot hands itself
#: to pandas.plotting. Nothing below imports the report otherwise.
UPWARD_ALLOWED = {("zaitaku.analysis.core", "zaitaku.report.html"): "Analysis.report"}


def module_name(path):
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["zaitaku"] + parts)


def modules():
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def floor_of(name):
    best = None
    for i, (_, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if name == prefix or name.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (i, len(prefix))
    return None if best is None else best[0]


def _is_package(path):
    return path.name == "__init__.py"


def imports(name, path, known):
    """(line, target module, enclosing function or None) for every zaitaku
    import in the module, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if _is_package(path) else name.rsplit(".", 1)[0]
    found = []

    def resolve(node):
        if node.level == 0:
            return node.module
        base = package.split(".")
        if node.level > 1:
            base = base[:len(base) - (node.level - 1)]
        return ".".join(base + ([node.module] if node.module else []))

    def visit(node, where):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                else where
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split(".")[0] == "zaitaku":
                        found.append((child.lineno, alias.name, where))
            elif isinstance(child, ast.ImportFrom):
                target = resolve(child)
                if target.split(".")[0] != "zaitaku":
                    continue
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    # "from . import x" loads the module x when there is one
                    found.append((child.lineno, sub if sub in known else target, where))
            visit(child, inner)

    visit(tree, None)
    return found


def graph():
    known = modules()
    return known, {name: imports(name, path, known) for name, path in known.items()}


def upward_imports(known, edges):
    bad = []
    for name, found in edges.items():
        mine = floor_of(name)
        for line, target, where in found:
            theirs = floor_of(target)
            if theirs is None or theirs <= mine:
                continue
            if (name, target) in UPWARD_ALLOWED and UPWARD_ALLOWED[name, target] == \
                    f"Analysis.{where}":
                continue
            bad.append(f"{known[name].relative_to(PACKAGE)}:{line}: {name} ({FLOORS[mine][0]}) "
                       f"imports {target} ({FLOORS[theirs][0]})"
                       + (f" in {where}()" if where else ""))
    return bad


def cycles(edges):
    """Circles of modules importing each other (any import, function-level
    too; the allowed upward one aside), each as a list of module names."""
    adj = {n: sorted({t for _, t, w in found if t in edges and t != n
                      and UPWARD_ALLOWED.get((n, t)) != f"Analysis.{w}"})
           for n, found in edges.items()}
    index, low, stack, on, out = {}, {}, [], set(), []

    def strong(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in adj[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in adj:
        if v not in index:
            strong(v)
    return out


def test_every_module_has_a_floor():
    known = modules()
    assert len(known) >= 40
    assert [n for n in known if floor_of(n) is None] == []


def test_no_upward_imports():
    known, edges = graph()
    assert upward_imports(known, edges) == []


def test_the_allowed_upward_import_is_still_there():
    """The exception must not outlive its reason."""
    known, edges = graph()
    for (name, target), where in UPWARD_ALLOWED.items():
        assert any(t == target and f"Analysis.{w}" == where for _, t, w in edges[name])


def test_no_import_cycles():
    _, edges = graph()
    assert cycles(edges) == []


def test_imports_are_at_the_top():
    """No bottom-of-file imports: every module-level import comes before the
    first definition or statement (a docstring and __future__ aside)."""
    late = []
    for name, path in modules().items():
        body = ast.parse(path.read_text(encoding="utf-8")).body
        started = False
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if started:
                    late.append(f"{name}:{node.lineno}")
            elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
                started = True
    assert late == []


def _analysis_private_names():
    """Underscore attributes and methods of Analysis (self._x = ..., def _x)."""
    tree = ast.parse((PACKAGE / "analysis" / "core.py").read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Analysis")
    names = set()
    for node in ast.walk(cls):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                node.value.id == "self" and node.attr.startswith("_") and \
                not node.attr.startswith("__"):
            names.add(node.attr)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("_") and \
                not node.name.startswith("__"):
            names.add(node.name)
    return names


def private_reads(known, private):
    """``an._x`` outside zaitaku.analysis, for _x an Analysis's own."""
    shared = {"_ctx", "_ptr"}  # every wrapped object has them: only on an analysis
    reads = []
    for name, path in known.items():
        if name.startswith("zaitaku.analysis"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Attribute) and node.attr in private):
                continue
            text = ast.unparse(node.value)
            if text == "self" or (node.attr in shared and text not in (
                    "an", "analysis", "self.analysis", "ctx.analysis", "data.analysis")):
                continue
            reads.append(f"{name}:{node.lineno}: {text}.{node.attr}")
    return reads


def test_no_module_reads_the_private_state_of_an_analysis():
    """Other modules use Analysis's public properties and methods (context,
    c_analysis, resolve_threshold, network_options, ...), never an._x."""
    private = _analysis_private_names()
    assert {"_call_args", "_model_ptr", "_road", "_road_threshold", "_ctx", "_ptr"} <= private
    assert private_reads(modules(), private) == []


def test_the_checker_finds_what_it_should(tmp_path, monkeypatch):
    """The checks on a made-up package: an upward import inside a function,
    and a circle through a function-level import, are both found."""
    pkg = tmp_path / "zaitaku"
    (pkg / "analysis").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "units.py").write_text("def f():\n    from .analysis import core\n")
    (pkg / "analysis" / "__init__.py").write_text("")
    (pkg / "analysis" / "core.py").write_text("from ..units import f\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", pkg)
    known, edges = graph()
    bad = upward_imports(known, edges)
    assert len(bad) == 1 and "zaitaku.units (vocabulary) imports zaitaku.analysis.core" in bad[0]
    assert "in f()" in bad[0]
    assert cycles(edges) == [["zaitaku.analysis.core", "zaitaku.units"]]
    (pkg / "maps").mkdir()
    (pkg / "maps" / "__init__.py").write_text("def f(an, fac):\n    return an._net, fac._ptr, "
                                              "analysis._ptr\n")
    assert private_reads(modules(), {"_net", "_ptr"}) == [
        "zaitaku.maps:2: an._net", "zaitaku.maps:2: analysis._ptr"]


def test_readme_and_architecture_doc_show_this_table():
    root = Path(__file__).resolve().parents[2]
    rows = [f"| {floor} | {', '.join(names)} |" for floor, names in FLOORS]
    for doc in (root / "README.md", root / "docs" / "architecture.md"):
        text = " ".join(doc.read_text(encoding="utf-8").split())
        for row in rows:
            assert " ".join(row.split()) in text, (doc.name, row)


@pytest.mark.parametrize("name", ["zaitaku.planning", "zaitaku.official", "zaitaku.maps",
                                  "zaitaku.report", "zaitaku.cli"])
def test_heavy_parts_load_on_first_use(name):
    """``import zaitaku`` does not import planning, official, maps, report or
    cli (nor matplotlib); the attribute loads them."""
    code = ("import sys, zaitaku\n"
            f"assert {name!r} not in sys.modules, 'eager'\n"
            "assert 'matplotlib' not in sys.modules and 'pandas' not in sys.modules\n"
            f"mod = getattr(zaitaku, {name.split('.')[1]!r})\n"
            f"assert mod is sys.modules[{name!r}]\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_one_atomic_writer():
    """Files are renamed into place in zaitaku.outputs only (atomic_file,
    OutputSet): no other module renames or makes temporary files of its
    own (there were four writers)."""
    calls = []
    for name, path in modules().items():
        if name in ("zaitaku.outputs", "zaitaku._build"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                text = ast.unparse(node.func)
                if text in ("os.replace", "os.rename", "shutil.move", "tempfile.mkstemp",
                            "tempfile.NamedTemporaryFile"):
                    calls.append(f"{name}:{node.lineno}: {text}")
    assert calls == []
    from zaitaku import outputs

    assert callable(outputs.atomic_file) and callable(outputs.OutputSet)
