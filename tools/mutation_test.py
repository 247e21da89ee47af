"""Mutation testing: change the code one small way at a time and check that a test notices.

    python -m tools.mutation_test                          # every target file: the score, and each survivor
    python -m tools.mutation_test --files tco_xl/engine/capacity.py --list    # the mutants, not run
    python -m tools.mutation_test --files tco_xl/analysis --jobs 2
    python -m tools.mutation_test --sample 300 --seed 1     # 300 mutants drawn at random, each file's share

Targets are discovered, not listed: every module under ``tco_xl/engine`` and ``tco_xl/analysis`` and the
workbook loader (``tco_xl/io/workbook.py``, ``tco_xl/io/cells.py``), whatever files those hold today.

A mutant is one AST change (``OPERATORS``): an arithmetic or comparison operator swapped, a number moved by
one, a bound (max/min) or a rounding dropped, a condition negated, a statement (a call, a raise, a continue)
removed, and so on. Strings (messages), docstrings, annotations and ``__all__`` are left alone.

How it runs, fast enough to be a habit (minutes to an hour, not days):
1. coverage.py runs the test suite once (LibreOffice and the fuzz sample aside) and records which tests
   run each line of the targets, and how long each test takes;
2. a server process imports the heavy libraries once, then forks one child per mutant; the child puts the
   mutated module in place of the original (an import hook: no file is edited) and runs, with pytest,
   only the tests that run the mutated line, fastest first, as many as fit in ``--budget`` seconds (20),
   stopping at the first failure; a second pass over the survivors (``--survivors-of results.json
   --all-tests --budget 0``) runs every covering test, LibreOffice's and the fuzz sample included;
3. a mutant is killed when a test fails (or errors, or the run exceeds its time limit), survives when
   they all pass, and is "not covered" when no test runs its line.

Surviving mutants are listed with their file, line and change. Those reviewed and found equivalent (no
test could tell them apart) or acceptable are explained in ``tools/mutation_survivors.txt``, one per line:
``<file>::<function> | <original> -> <mutated>[ #n] | <why>`` (``#n``: the n-th identical change in that
function); the score counts them apart and the command exits 1 while any survivor is unexplained.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import importlib.abc
import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ("tco_xl/engine", "tco_xl/analysis", "tco_xl/io/workbook.py", "tco_xl/io/cells.py")
#: Tests left out of the runs: LibreOffice (slow, and covered by other tests' engine calls) and the fuzz sample
#: (a minute per run; its loader checks are also unit tests).
EXCLUDED_TESTS = ("-m", "not libreoffice", "--deselect", "tests/test_fuzz_workbook.py")
SURVIVORS = ROOT / "tools" / "mutation_survivors.txt"
#: Libraries the server imports once, so each forked child starts with them loaded.
PRELOAD = ("numpy", "pandas", "pydantic", "openpyxl", "hypothesis", "typer", "rich", "pytest", "xlwings",
           "formulas", "zipfile", "xml.etree.ElementTree")


# -- mutants -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mutant:
    file: str        # repository-relative path
    index: int       # position among the file's mutants (deterministic for a given source)
    line: int
    function: str    # qualified name of the enclosing function or class, or '<module>'
    original: str    # source of the node changed
    mutated: str     # the same node after the change
    occurrence: int  # 1 for the first mutant of the function with this change, 2 for the next, ...

    @property
    def change(self) -> str:
        """'<original> -> <mutated>', with '#n' for the n-th identical change in the same function."""
        return f"{self.original} -> {self.mutated}" + (f" #{self.occurrence}" if self.occurrence > 1 else "")

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies a mutant across edits elsewhere in the file (line numbers move)."""
        return self.file, self.function, self.change

    def __str__(self) -> str:
        return f"{self.file}:{self.line} ({self.function}): {self.change}"


_SWAP = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
    ast.Pow: ast.Mult, ast.Mod: ast.FloorDiv, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd,
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.And: ast.Or, ast.Or: ast.And,
}
_BOUNDS = {"max": "min", "min": "max", "maximum": "minimum", "minimum": "maximum"}
_ROUNDING = {"ceil", "floor", "round", "whole", "rint", "trunc"}
_SKIPPED_CALLS = {"getLogger", "debug", "info", "warning", "error", "exception"}


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _negated(test: ast.expr) -> ast.expr:
    return ast.UnaryOp(op=ast.Not(), operand=test)


def _changes(node: ast.AST) -> Iterator[Callable[[ast.AST], ast.AST | None]]:
    """The mutations of one node: functions that return its replacement (None removes a statement)."""
    if isinstance(node, (ast.BinOp, ast.AugAssign, ast.BoolOp)) and type(node.op) in _SWAP:
        yield lambda n: _replace(n, op=_SWAP[type(n.op)]())
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _SWAP:
                yield lambda n, i=i: _replace(n, ops=[*n.ops[:i], _SWAP[type(n.ops[i])](), *n.ops[i + 1:]])
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not, ast.Invert)):
        yield lambda n: n.operand
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = node.value
        new = 1 if value == 0 else 0 if value == 1 else value + 1 if isinstance(value, int) else value * 2
        yield lambda n, new=new: ast.Constant(new)
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        yield lambda n: ast.Constant(not n.value)
    elif isinstance(node, ast.Call):
        name = _call_name(node)
        if name in _BOUNDS and len(node.args) == 2 and not node.keywords:
            yield lambda n: _rename_call(n, _BOUNDS[name])
            yield lambda n: n.args[0]
            yield lambda n: n.args[1]
        elif name in _ROUNDING and len(node.args) >= 1:
            yield lambda n: n.args[0]
    elif isinstance(node, ast.IfExp):
        yield lambda n: _replace(n, body=n.orelse, orelse=n.body)
    elif isinstance(node, (ast.If, ast.While)) and not isinstance(node.test, (ast.Compare, ast.BoolOp, ast.UnaryOp)):
        yield lambda n: _replace(n, test=_negated(n.test))
    elif _removable(node):
        yield lambda n: None


def _removable(node: ast.AST) -> bool:
    """A statement whose removal is a mutant: a call made for its effect, a raise, a continue or a break."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return _call_name(node.value) not in _SKIPPED_CALLS
    return isinstance(node, (ast.Raise, ast.Continue, ast.Break))


def _replace(node: ast.AST, **fields: Any) -> ast.AST:
    new = copy.copy(node)
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def _rename_call(node: ast.Call, name: str) -> ast.Call:
    func = copy.copy(node.func)
    if isinstance(func, ast.Attribute):
        func.attr = name
    else:
        assert isinstance(func, ast.Name)
        func.id = name
    return _replace(node, func=func)


def _skipped(node: ast.AST, parents: list[ast.AST]) -> bool:
    """Nodes that are not behaviour: docstrings, strings, annotations, __all__, asserts, type-checking blocks."""
    for parent in parents:
        if isinstance(parent, (ast.JoinedStr, ast.Assert)):
            return True
        if isinstance(parent, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in parent.targets):
            return True
        if isinstance(parent, ast.If) and "TYPE_CHECKING" in ast.unparse(parent.test):
            return True
    if parents:
        parent = parents[-1]
        if isinstance(parent, (ast.arg, ast.AnnAssign)) and node is getattr(parent, "annotation", None):
            return True
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is parent.returns:
            return True
    return False


def _walk(node: ast.AST, parents: list[ast.AST], scope: list[str]) -> Iterator[tuple[ast.AST, list[ast.AST], str]]:
    """(node, its parents, enclosing scope) for every node, in a fixed order."""
    yield node, parents, ".".join(scope) or "<module>"
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        scope = [*scope, node.name]
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Expr) and isinstance(child.value, ast.Constant) and isinstance(child.value.value, str):
            continue  # a docstring
        if _is_annotation(node, child):
            continue
        yield from _walk(child, [*parents, node], scope)


def _is_annotation(parent: ast.AST, child: ast.AST) -> bool:
    if isinstance(parent, (ast.arg, ast.AnnAssign)) and child is parent.annotation:
        return True
    return isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)) and child is parent.returns


#: The source of each file as its mutants were listed: children mutate this text, so that editing the file
#: during a run cannot shift which node a mutant changes.
_SOURCES: dict[str, str] = {}


def mutants_of(path: Path) -> list[Mutant]:
    """Every mutant of one source file, in a fixed order."""
    source = _SOURCES.setdefault(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
    tree = ast.parse(source)
    found = []
    for node, parents, scope in _walk(tree, [], []):
        if _skipped(node, parents) or not hasattr(node, "lineno"):
            continue
        for change in _changes(node):
            replacement = change(copy.deepcopy(node))
            original = ast.get_source_segment(source, node) or ast.unparse(node)
            mutated = "<removed>" if replacement is None else ast.unparse(replacement)
            if mutated == ast.unparse(node):
                continue
            original, mutated = " ".join(original.split())[:160], " ".join(mutated.split())[:160]
            same = sum(1 for m in found if (m.function, m.original, m.mutated) == (scope, original, mutated))
            found.append(Mutant(str(path.relative_to(ROOT)), len(found), node.lineno, scope, original, mutated,
                                same + 1))
    return found


def mutated_code(mutant: Mutant) -> Any:
    """The code object of ``mutant.file`` with the one change applied (compiled with the original line numbers)."""
    path = ROOT / mutant.file
    tree = ast.parse(_SOURCES.get(mutant.file) or path.read_text(encoding="utf-8"))
    count = 0
    for node, parents, _ in _walk(tree, [], []):
        if _skipped(node, parents) or not hasattr(node, "lineno"):
            continue
        for change in _changes(node):
            replacement = change(copy.deepcopy(node))
            if replacement is not None and ast.unparse(replacement) == ast.unparse(node):
                continue
            if count == mutant.index:
                _substitute(tree, node, replacement)
                return compile(ast.fix_missing_locations(tree), str(path), "exec")
            count += 1
    raise LookupError(f"no mutant {mutant.index} in {mutant.file}")


def _substitute(tree: ast.AST, old: ast.AST, new: ast.AST | None) -> None:
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, name, new if new is not None else ast.Pass())
                return
            if isinstance(value, list) and any(item is old for item in value):
                i = next(i for i, item in enumerate(value) if item is old)
                if new is None:
                    value[i] = ast.copy_location(ast.Pass(), old)
                else:
                    value[i] = ast.copy_location(new, old) if isinstance(new, ast.AST) else new
                return
    raise LookupError("node not found")


def target_files(selection: list[str]) -> list[Path]:
    """Python files under the given paths (default: TARGETS), sorted."""
    files: set[Path] = set()
    for item in selection or TARGETS:
        path = ROOT / item
        files.update(path.rglob("*.py") if path.is_dir() else [path])
    return sorted(files)


def sample(mutants: list[Mutant], count: int, seed: int) -> list[Mutant]:
    """``count`` of ``mutants`` drawn at random with ``seed``: each file's share of them (at least one), in order."""
    rng = random.Random(seed)
    by_file: dict[str, list[Mutant]] = defaultdict(list)
    for m in mutants:
        by_file[m.file].append(m)
    chosen = [m for file, ms in by_file.items()
              for m in rng.sample(ms, min(len(ms), max(1, round(count * len(ms) / len(mutants)))))]
    return sorted(chosen, key=lambda m: (m.file, m.index))


# -- which tests run which line ----------------------------------------------------------------------------

def coverage_map(files: list[Path], folder: Path, tests: list[str], excluded: tuple[str, ...] = EXCLUDED_TESTS
                 ) -> tuple[dict[tuple[str, int], set[str]], dict[str, float]]:
    """((file, line) -> test node ids running it, node id -> seconds), from one coverage run of ``tests``."""
    rc = folder / ".coveragerc"
    rc.write_text(f"[run]\nbranch = false\ninclude =\n{chr(10).join('    ' + str(f) for f in files)}\n")
    data, junit = folder / ".coverage", folder / "junit.xml"
    command = [sys.executable, "-m", "coverage", "run", f"--rcfile={rc}", f"--data-file={data}", "-m", "pytest",
               "-q", "-p", "no:cacheprovider", "-p", "tools.mutation_test", "-x", *excluded,
               f"--junitxml={junit}", *tests]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"the tests fail before any mutation:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}")
    from coverage import CoverageData
    cov = CoverageData(basename=str(data))
    cov.read()
    lines: dict[tuple[str, int], set[str]] = defaultdict(set)
    importing: dict[str, set[str]] = defaultdict(set)  # file -> every test that runs any of its lines
    durations = _durations(junit)
    contexts_of = {measured: cov.contexts_by_lineno(measured) for measured in cov.measured_files()}
    by_file: dict[str, set[str]] = defaultdict(set)  # test file -> its tests
    for test in {*durations, *(c.removesuffix(SETUP) for per_line in contexts_of.values()
                               for cs in per_line.values() for c in cs if c)}:
        by_file[test.split("::")[0]].add(test)
    for measured, per_line in contexts_of.items():
        rel = str(Path(measured).relative_to(ROOT))
        for line, contexts in per_line.items():
            ids = set()
            for c in filter(None, contexts):
                # a line run while setting a test up may run for a fixture that the test's file shares (a module
                # or session scope): only the first test using it runs it; credit every test of the file
                ids.update(by_file[c.split("::")[0]] if c.endswith(SETUP) else {c})
            lines[(rel, line)].update(ids)
            importing[rel].update(ids)
    for (rel, line), ids in lines.items():
        if not ids:  # run only when the module was imported: every test of the file may depend on it
            lines[(rel, line)] = set(importing[rel])
    return lines, durations


#: Module-level caches of tco_xl that are not functools caches (no ``cache_clear``): emptied before each test of
#: the coverage run like the others. A stack's model (its rules) is built once per structure and kept here: left
#: in place, the lines that build the rules (most of engine/) would be credited to the first test that priced the
#: stack only, and every later test that prices it would not be run against their mutants.
CACHE_MAPPINGS = ("tco_xl.engine.model._MODELS", "tco_xl.engine.model._STRUCTURES")
#: The suffix of the coverage context of a test's setup (its fixtures): see ``coverage_map``.
SETUP = "|setup"


def clear_caches() -> None:
    """Empty every cache of tco_xl loaded so far: functools caches (``cache_clear``) and ``CACHE_MAPPINGS``."""
    for name, module in list(sys.modules.items()):
        if name == "tco_xl" or name.startswith("tco_xl."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
    for dotted in CACHE_MAPPINGS:
        module_name, attribute = dotted.rsplit(".", 1)
        if module_name in sys.modules:
            getattr(sys.modules[module_name], attribute).clear()  # AttributeError: CACHE_MAPPINGS is out of date


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: Any) -> None:
    """(A pytest hook, active in the coverage run.) Record what follows, the test's fixtures, under
    '<node id>|setup'; and empty tco_xl's caches first, so that every test runs, and is recorded as running, the
    lines its results come from, even where an earlier test computed the same result."""
    clear_caches()
    from coverage import Coverage
    current = Coverage.current()
    if current is not None:
        current.switch_context(item.nodeid + SETUP)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: Any) -> None:
    """(A pytest hook.) Record the test's call and its teardown under its node id."""
    from coverage import Coverage
    current = Coverage.current()
    if current is not None:
        current.switch_context(item.nodeid)


def pytest_runtest_logfinish(nodeid: str, location: Any) -> None:
    """(A pytest hook.) Lines run between tests (collection, module imports) belong to no test."""
    from coverage import Coverage
    current = Coverage.current()
    if current is not None:
        current.switch_context("")


def _durations(junit: Path) -> dict[str, float]:
    import xml.etree.ElementTree as ET
    seconds: dict[str, float] = defaultdict(float)
    for case in ET.parse(junit).iter("testcase"):  # classname 'tests.test_x' (or 'tests.test_x.Class'), name
        module = case.get("classname", "").split(".")
        node = "/".join(module[:2]) + ".py::" + "::".join([*module[2:], case.get("name", "")])
        seconds[node] += float(case.get("time", 0))
    return dict(seconds)


# -- running mutants -----------------------------------------------------------------------------------------

class _MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the mutated code object for one module name; every other import is left to the usual finders."""

    def __init__(self, name: str, path: Path, code: Any):
        self.name, self.path, self.code = name, path, code

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        package = [str(self.path.parent)] if self.path.name == "__init__.py" else None
        return importlib.util.spec_from_file_location(fullname, self.path, loader=self,
                                                      submodule_search_locations=package)

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: Any) -> None:
        exec(self.code, module.__dict__)  # the mutated module


def _module_name(file: str) -> str:
    parts = Path(file).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _child(mutant: Mutant, tests: list[str]) -> int:
    """In a forked child: install the mutant, run the tests, return pytest's exit code."""
    import pytest
    from hypothesis import settings
    settings.register_profile("mutation", derandomize=True, database=None, deadline=None, print_blob=False)
    settings.load_profile("mutation")
    sys.meta_path.insert(0, _MutantFinder(_module_name(mutant.file), ROOT / mutant.file, mutated_code(mutant)))
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    return int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--no-header", *tests]))


@dataclass
class Result:
    mutant: Mutant
    status: str       # killed, survived, timeout, not covered
    seconds: float
    tests: int


def selected(tests: set[str], durations: dict[str, float], budget: float) -> list[str]:
    """The covering tests to run, fastest first, as many as fit in ``budget`` seconds of their measured time
    (at least one; every one when ``budget`` is 0)."""
    ordered = sorted(tests, key=lambda t: (durations.get(t, 1.0), t))
    if budget <= 0:
        return ordered
    chosen, spent = [], 0.0
    for test in ordered:
        if chosen and spent + durations.get(test, 1.0) > budget:
            break
        chosen.append(test)
        spent += durations.get(test, 1.0)
    return chosen


def run(mutants: list[Mutant], lines: dict[tuple[str, int], set[str]], durations: dict[str, float], jobs: int,
        progress: Callable[[Result], None], budget: float = 0) -> list[Result]:
    """Run every mutant in forked children, ``jobs`` at a time, each against its covering tests within ``budget``."""
    for module in PRELOAD:
        with contextlib.suppress(ImportError):
            __import__(module)
    assert not any(m == "tco_xl" or m.startswith("tco_xl.") for m in sys.modules), "tco_xl must not be preloaded"
    results: list[Result] = []
    running: dict[int, tuple[Mutant, float, float, int]] = {}
    queue = list(mutants)
    while queue or running:
        while queue and len(running) < jobs:
            mutant = queue.pop(0)
            tests = selected(lines.get((mutant.file, mutant.line), set()), durations, budget)
            if not tests:
                results.append(Result(mutant, "not covered", 0.0, 0))
                progress(results[-1])
                continue
            limit = max(30.0, 5 * sum(durations.get(t, 1.0) for t in tests) + 10)
            pid = os.fork()
            if pid == 0:
                code = 3
                try:
                    code = _child(mutant, tests)
                finally:
                    os._exit(code)
            running[pid] = (mutant, time.monotonic(), limit, len(tests))
        time.sleep(0.02)
        for pid, (mutant, start, limit, count) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            elapsed = time.monotonic() - start
            if done == 0 and elapsed < limit:
                continue
            if done == 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                outcome = "timeout"
            else:
                code = os.waitstatus_to_exitcode(status)
                outcome = "survived" if code == 0 else "not covered" if code == 5 else "killed"
            del running[pid]
            results.append(Result(mutant, outcome, elapsed, count))
            progress(results[-1])
    return results


# -- explanations and the report -----------------------------------------------------------------------------

def explanations() -> dict[tuple[str, str, str], str]:
    """Reviewed survivors: (file, function, change) -> why it may survive."""
    out = {}
    if SURVIVORS.exists():
        for raw in SURVIVORS.read_text(encoding="utf-8").splitlines():
            if not raw.strip() or raw.startswith("#"):
                continue
            where, change, why = (part.strip() for part in raw.split(" | ", 2))
            file, function = where.split("::")
            out[(file, function, change)] = why
    return out


def report(results: list[Result], seconds: float) -> tuple[str, int]:
    explained = explanations()
    counts = Counter(r.status for r in results)
    alive = [r for r in results if r.status in ("survived", "not covered")]
    unexplained = [r for r in alive if r.mutant.key not in explained]
    killed = counts["killed"] + counts["timeout"]
    total = len(results)
    counted = total - len(alive) + len(unexplained)  # explained survivors (equivalent mutants) left out
    lines = [f"{total:,} mutants in {seconds / 60:,.1f} min: {counts['killed']:,} killed, {counts['timeout']:,} "
             f"timed out, {counts['survived']:,} survived, {counts['not covered']:,} not covered",
             f"score: {killed / max(total, 1):.1%} of all mutants killed; {killed / max(counted, 1):.1%} of the "
             f"mutants that are not explained survivors",
             f"survivors explained in {SURVIVORS.relative_to(ROOT)}: {len(alive) - len(unexplained)}; "
             f"unexplained: {len(unexplained)}"]
    by_file: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        by_file[r.mutant.file][r.status] += 1
    lines.append("")
    lines += [f"  {file:36} {sum(c.values()):5} mutants, {c['killed'] + c['timeout']:5} killed, "
              f"{c['survived'] + c['not covered']:4} alive" for file, c in sorted(by_file.items())]
    if unexplained:
        lines += ["", "unexplained survivors (add a test, or a line to the survivors file saying why):"]
        lines += [f"  {r.status}: {r.mutant}" for r in unexplained]
        lines += ["", "as survivors-file lines:"]
        lines += [f"{r.mutant.file}::{r.mutant.function} | {r.mutant.change} | TODO" for r in unexplained]
    return "\n".join(lines), 1 if unexplained else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation_test", description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", nargs="*", default=[], help=f"files or folders (default: {', '.join(TARGETS)})")
    parser.add_argument("--list", action="store_true", help="list the mutants without running them")
    parser.add_argument("--tests", nargs="*", default=["tests"], help="test files or folders to kill mutants with "
                                                                          "(default: tests)")
    parser.add_argument("--all-tests", action="store_true", help="also the LibreOffice tests and the fuzz sample "
                                                                  "(slow: for a second pass over survivors)")
    parser.add_argument("--survivors-of", type=Path, help="run only the mutants that survived in this --json file")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds of (measured) test time per mutant, "
                                                                    "fastest tests first; 0: every covering test")
    parser.add_argument("--sample", type=int, help="run this many mutants drawn at random (seeded: --seed), the same "
                                                   "share of each file, instead of all")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once (default 1)")
    parser.add_argument("--json", type=Path, help="also write every result to this file")
    args = parser.parse_args(argv)
    files = target_files(args.files)
    mutants = [m for f in files for m in mutants_of(f)]
    if args.survivors_of:
        alive = {(r["file"], r["function"], r["original"], r["mutated"], r["occurrence"])
                 for r in json.loads(args.survivors_of.read_text()) if r["status"] in ("survived", "not covered")}
        mutants = [m for m in mutants if (m.file, m.function, m.original, m.mutated, m.occurrence) in alive]
    if args.sample is not None:
        mutants = sample(mutants, args.sample, args.seed)
    if args.list:
        print("\n".join(str(m) for m in mutants))
        print(f"{len(mutants):,} mutants in {len(files)} files")
        return 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tco-mutation-") as folder:
        print(f"measuring which tests run which line of {len(files)} files...", file=sys.stderr)
        lines, durations = coverage_map(files, Path(folder), args.tests, () if args.all_tests else EXCLUDED_TESTS)
    print(f"{len(mutants):,} mutants; {len(durations):,} tests", file=sys.stderr)
    done = Counter[str]()

    def progress(result: Result) -> None:
        done[result.status] += 1
        print(f"\r{sum(done.values()):,}/{len(mutants):,} " + " ".join(f"{k} {v}" for k, v in sorted(done.items())),
              end="", file=sys.stderr, flush=True)

    results = run(mutants, lines, durations, args.jobs, progress, args.budget)
    print(file=sys.stderr)
    text, code = report(results, time.perf_counter() - start)
    print(text)
    if args.json:
        args.json.write_text(json.dumps([{**r.mutant.__dict__, "status": r.status, "seconds": round(r.seconds, 2),
                                          "tests": r.tests} for r in results], indent=1))
    return code


if __name__ == "__main__":
    sys.exit(main())
