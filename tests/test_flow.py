"""The executor: every step through a crash at every named point, decisions raced against
each other, and the shape of the house (no step numbers outside the SOP table and the
handlers, no import cycles)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from pipeline.domain import sop
from pipeline.domain.actions import Action
from pipeline.office import crash
from pipeline.office.fsutil import sha256_file
from pipeline.store.register import Register
from tests.office import fill, jpeg, one, visible
from tests.stages import CASE, form_values

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pipeline"


def kkwna(home, *args, crash_at: str | None = None, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KKWNA_CRASH_AT", None)
    if crash_at:
        env["KKWNA_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "pipeline", "--home", str(home.root), *args],
                          capture_output=True, text=True, env=env, timeout=120, **kw)


def sound(home, case_id: str = CASE) -> Register:
    """The register agrees with the disk: every recorded document is there with its
    checksum, the event chain holds, no temporary file is left in the case folder."""
    reg = Register(home.register_path)
    case = reg.get(case_id)
    folder = home.root / case.folder
    for row in reg.documents(case_id):
        path = folder / row["name"]
        assert path.exists(), row["name"]
        assert sha256_file(path) == row["sha256"], row["name"]
    assert not [p for p in folder.rglob(".tmp-*")], "a temporary file was left"
    assert reg.chain_ok()[0]
    return reg


# --- the shape of the house -----------------------------------------------------------------

STEP_LITERAL = re.compile(
    r"(\bstep\w*|\blangkah\w*|\.step)\s*(==|!=|<=|>=|<|>|\bin\b)\s*[(\[{]?\s*\d"
    r"|\bsop\.step\(\s*\d|\bdesk\(\s*\d|\bhandler\(\s*\d|\bstep=\d|\brounds?\s*=\s*\{\d")


def test_no_step_number_outside_the_sop_table_and_the_handlers():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "sop.py" or rel.startswith("steps/"):
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if STEP_LITERAL.search(line.split("#")[0]):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


# a step's document by its number: "08 kartu keluarga WNA.pdf", "02 tanda bukti
# pengambilan.pdf" (any numbered PDF name), or the table's own stems ("08 kartu keluarga WNA")
NUMBERED_PDF = re.compile(r"(?<![\w.:/-])\d\d [A-Za-z][^\"'\n]*?\.pdf")
TABLE_STEMS = re.compile("|".join(re.escape(sop.document_name(s.number, s.document)[:-4])
                                  for s in sop.STEPS if s.document))


def _code_strings(tree: ast.AST) -> list[ast.Constant]:
    """The string constants of *tree* that are code, not docstrings (f-strings' text
    parts included)."""
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                          | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}
    return [node for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docs]


def test_no_document_named_by_its_step_number_outside_the_table_and_the_handlers():
    """A step's document is named from the table (`sop.document_name`), so renumbering or
    another service's table renames it everywhere at once."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "sop.py" or rel.startswith("steps/"):
            continue
        for node in _code_strings(ast.parse(path.read_text())):
            for m in [*NUMBERED_PDF.finditer(node.value), *TABLE_STEMS.finditer(node.value)]:
                found.append(f"{rel}:{node.lineno}: {m.group(0)!r}")
    assert not found, "\n".join(found)


ACTION_WORDS = {a.value for a in Action}


def _action_literals(tree: ast.AST) -> list[ast.Constant]:
    """String constants that name an event's action as code uses it: compared with
    (alone or in a tuple or set), passed as `action=`, given to frozenset()/set(), or
    assigned to an `action`/`approved`/`*_ACTION` name."""
    def words(node: ast.AST) -> list[ast.Constant]:
        items = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
        return [n for n in items if isinstance(n, ast.Constant) and n.value in ACTION_WORDS]

    found: list[ast.Constant] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                found += words(side)
        elif isinstance(node, ast.keyword) and node.arg == "action":
            found += words(node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("frozenset", "set") and node.args:
            found += words(node.args[0])
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if node.value is not None and any(
                    n in ("action", "approved") or n.endswith("_ACTION") for n in names):
                found += words(node.value)
    return found


def test_events_are_told_apart_by_their_declared_actions():
    """The books, the report, status and the archive tell events apart by
    `pipeline.domain.actions.Action`, declared once, not by the words the register stores."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "actions.py":
            continue
        for node in _action_literals(ast.parse(path.read_text())):
            found.append(f"{rel}:{node.lineno}: {node.value!r}")
    assert not found, "\n".join(found)


def _imports(path: Path) -> set[str]:
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                base = ".".join(module.split(".")[:-node.level] + [node.module])
            names.add(base)
            names |= {f"{base}.{a.name}" for a in node.names}
    return {n for n in names if n.startswith("pipeline")}


def _reexports(path: Path, package: str, modules: Iterable[str]) -> set[str]:
    """The submodules a package's `__init__` hands out, however it loads them: imported at
    import time, under TYPE_CHECKING, or named as text for a lazy `__getattr__`
    (`importlib.import_module(f"{__name__}.{_HOME[name]}")`). Each is an edge of the
    package: a submodule that imports the package closes a cycle through it."""
    subs = {m.rpartition(".")[2]: m for m in modules if m.rpartition(".")[0] == package}
    return {subs[n.value] for n in ast.walk(ast.parse(path.read_text()))
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in subs}


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports. `from pipeline.archive import sheets`
    names the package pipeline.archive (its `__init__` runs and hands the name out), so
    it is an edge to the package as well as to the submodule; `import
    pipeline.archive.sheets` and `from pipeline.archive.sheets import x` are not."""
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for p in PACKAGE.rglob("*.py")}
    graph = {}
    for m, p in modules.items():
        names = _imports(p)
        if p.name == "__init__.py":
            names |= _reexports(p, m, modules)
        graph[m] = {n for n in names if n in modules and n != m}
    return graph


def test_the_import_graph_counts_a_packages_reexports():
    """The guard sees the cycle that a lazy `__init__` hides (issue 17 item 4)."""
    graph = import_graph()
    archive = graph["pipeline.archive"]
    assert {"pipeline.archive.filing", "pipeline.archive.books"} <= archive
    assert "pipeline.archive.sums" not in archive  # not handed out by the package


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycle = path[path.index(n):] + [n]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if n not in state:
                visit(n)
        path.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


# --- crash points ---------------------------------------------------------------------------

DESK_POINTS = tuple(p for p in crash.POINTS if not p.startswith("intake"))


@pytest.mark.slow
@pytest.mark.parametrize("step", [s.number for s in sop.decided_at_desk() if s.number <= 6])
@pytest.mark.parametrize("point", DESK_POINTS)
def test_a_desk_step_survives_a_crash_at_every_point(office_at, step, point):
    nxt = sop.after(step)
    if point == "next-form" and not (nxt and nxt.desk and nxt.kind is sop.Kind.DESK):
        pytest.skip("the next step places no desk form (an automatic step does)")
    home = office_at(step)
    form = one(home.desks / sop.step(step).desk, f"{CASE}*.pdf")
    fill(form, form_values(step))
    crashed = kkwna(home, "watch", "--once", crash_at=f"{point}@{step}")
    assert crashed.returncode == crash.EXIT, crashed.stderr
    done = kkwna(home, "watch", "--once")
    assert done.returncode == 0, done.stderr

    reg = sound(home)
    events = [e for e in reg.events(CASE) if e["step"] == step]
    assert len(events) == 1 and events[0]["action"] == "disetujui"
    case = reg.get(CASE)
    waiting = sop.step(case.step)
    assert case.step > step and waiting.desk
    assert not visible(home.desks / sop.step(step).desk), "the decided form stays"
    assert len(visible(home.desks / waiting.desk, f"{CASE}*.pdf")) == 1
    names = [r["name"] for r in reg.documents(CASE)]
    assert len(names) == len(set(names))
    assert all(not re.search(r" \(2\)\.pdf$", n) for n in names), names


@pytest.mark.slow
@pytest.mark.parametrize("point", [p for p in DESK_POINTS if p != "removed"])  # no input
def test_the_automatic_step_survives_a_crash_at_every_point(office_at, point):
    home = office_at(6)
    fill(one(home.desks / "06-kepala-bidang", f"{CASE}*.pdf"), form_values(6))
    auto = next(s for s in sop.STEPS if s.kind is sop.Kind.AUTOMATIC)
    crashed = kkwna(home, "watch", "--once", crash_at=f"{point}@{auto.number}")
    assert crashed.returncode == crash.EXIT, crashed.stderr
    assert kkwna(home, "watch", "--once").returncode == 0

    reg = sound(home)
    assert [e["action"] for e in reg.events(CASE) if e["step"] == auto.number] == ["diajukan"]
    assert reg.get(CASE).step == auto.number + 1
    assert (home.root / reg.get(CASE).folder / "07 draf TTE KK.pdf").exists()
    assert len(visible(home.desks / "08-kepala-dinas", f"{CASE}*.pdf")) == 1


@pytest.mark.slow
@pytest.mark.parametrize("point", ["intake-numbered", "intake-written", "committed@1",
                                   "removed@1"])
def test_intake_survives_a_crash_at_every_point(office, point):
    jpeg(office.inbox / "MARIA GARCIA kitap.jpg", text="MARIA")
    crashed = kkwna(office, "watch", "--once", crash_at=point)
    assert crashed.returncode == crash.EXIT, crashed.stderr
    assert kkwna(office, "watch", "--once").returncode == 0
    reg = sound(office)
    assert [c.id for c in reg.cases()] == [CASE] and reg.get(CASE).status == "open"
    assert not list(office.inbox.iterdir())
    assert [e["action"] for e in reg.events(CASE)] == ["diterima"]
    assert len(visible(office.desks / "02-front-office")) == 1


# --- races ----------------------------------------------------------------------------------

def _slip_code(home) -> str:
    slip = one(home.print, f"{CASE}*tanda bukti pengambilan.pdf")
    import pypdf
    text = "".join(p.extract_text() for p in pypdf.PdfReader(slip).pages)
    match = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", text)
    assert match, text
    return match.group()


@pytest.mark.slow
@pytest.mark.parametrize("rival", ["watcher", "decide"])
def test_a_decision_is_recorded_exactly_once_under_a_race(office_at, rival):
    """`kkwna decide` raced against the watcher recording the same step from its form, and
    against a second `kkwna decide`: one event, one collection code, whoever wins."""
    decide = ["decide", CASE, "--step", "2", "--approve", "--officer",
              form_values(2)["petugas_nip"], "--field", "cek_hadir_sendiri=ya"]
    for _ in range(4):
        home = office_at(2)
        if rival == "watcher":
            fill(one(home.desks / "02-front-office", f"{CASE}*.pdf"), form_values(2))
            other = ["watch", "--once"]
        else:
            other = decide
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        procs = [subprocess.Popen([sys.executable, "-m", "pipeline", "--home", str(home.root),
                                   *args], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
                 for args in (decide, other)]
        results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
        reg = sound(home)
        events = [e for e in reg.events(CASE) if e["step"] == 2]
        assert len(events) == 1, results
        assert reg.get(CASE).step == 3
        assert _slip_code(home) == reg.get(CASE).collection_code



@pytest.mark.slow
def test_a_scan_added_after_a_crash_past_the_commit_opens_no_second_case(office):
    """Crash right after intake's commit (`committed@1`), a scan added to the folder while
    the watcher is down: one application is one case, the new scan is held with a note."""
    folder = office.inbox / "MARIA GARCIA"
    jpeg(folder / "kitap.jpg", text="MARIA")
    crashed = kkwna(office, "watch", "--once", crash_at="committed@1")
    assert crashed.returncode == crash.EXIT, crashed.stderr
    jpeg(folder / "paspor.jpg", text="MARIA paspor")  # added while the watcher is down
    assert kkwna(office, "watch", "--once").returncode == 0
    reg = sound(office)
    assert [c.id for c in reg.cases()] == [CASE] and reg.get(CASE).status == "open"
    assert [e["action"] for e in reg.events(CASE)] == ["diterima"]
    assert len(visible(office.desks / "02-front-office")) == 1
    assert not (folder / "kitap.jpg").exists() and (folder / "paspor.jpg").exists()
    note = (office.inbox / "MARIA GARCIA.error.txt").read_text(encoding="utf-8")
    assert CASE in note and "paspor.jpg" in note


@pytest.mark.slow
def test_a_scan_added_after_a_crash_before_the_commit_leaves_one_live_case(office):
    """Crash before intake's commit (its checklist already on desk 02), a scan added: the
    unfinished number is cancelled, its form withdrawn, and the folder as it is now is
    the one case."""
    folder = office.inbox / "MARIA GARCIA"
    jpeg(folder / "kitap.jpg", text="MARIA")
    crashed = kkwna(office, "watch", "--once", crash_at="intake-written")
    assert crashed.returncode == crash.EXIT, crashed.stderr
    assert len(visible(office.desks / "02-front-office")) == 1
    jpeg(folder / "paspor.jpg", text="MARIA paspor")
    assert kkwna(office, "watch", "--once").returncode == 0
    second = "KKWNA-2026-0002"
    reg = sound(office, second)
    assert [(c.id, c.status) for c in reg.cases()] == [(CASE, "cancelled"), (second, "open")]
    assert sorted(reg.get(second).data["berkas"]) == ["kitap.jpg", "paspor.jpg"]
    (form,) = visible(office.desks / "02-front-office")
    assert form.name.startswith(second)
    assert not folder.exists() and not (office.cases / f"{CASE} MARIA GARCIA").exists()
