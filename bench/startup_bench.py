"""Start-up: `kkwna --help`, `kkwna status` and `kkwna verify`, each as a whole process.

    .venv/bin/python bench/startup_bench.py [--runs N]

Targets (issue 18): `kkwna --help` under 0.15 s CPU and 40 MB; `kkwna verify` of one
B-LTA card at most 1.2x pyHanko alone validating the same card with the same trust.

Each command is started as a clerk starts it (the venv's `kkwna` script) and measured by
the kernel's own accounting of the finished child (`os.wait4`): CPU time (user+sys) and
peak resident memory. CPU time is the figure judged, not wall time: the machine is shared,
and what other processes do shows in wall time far more than in CPU time. The commands
alternate (A B C ... A B C ...) after one warm-up round, and the medians of N rounds
(default 7) are quoted, a ratio pair by pair within each round.

- anchor: `python -c pass`, the interpreter alone.
- `kkwna --help`.
- `kkwna status` on an empty office (just `kkwna init`).
- `kkwna verify CARD` inside a demo office (`init --demo`'s PKI: trust roots and CRL from
  kkwna.toml) on the one card it signed, PAdES B-LTA; against pyHanko alone (below) on
  the same file with the same roots and CRLs, the validation data embedded in the card.

The offices are built first and not measured. kkwna's modules are compiled to bytecode
first, as pip compiles an installed package's (pyHanko's were, when it was installed):
a checkout run with PYTHONDONTWRITEBYTECODE set would otherwise compile every module of
kkwna on every run, ~0.1 s that no office pays.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("KKWNA_NOW", "2026-11-23T09:00:00+08:00")  # inside service hours
# every child process runs this checkout's code
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)

from signing_bench import SIGNED, build_office  # noqa: E402

from pipeline.office import config  # noqa: E402
from pipeline.office import home as homes  # noqa: E402
from pipeline.store.register import Register  # noqa: E402

HELP_CPU, HELP_MB, VERIFY_RATIO = 0.15, 40.0, 1.2

# pyHanko alone, as a user of the library would write it: nothing of kkwna is imported.
# The same trust as the office's: its roots and CRLs, no fetching, revocation hard-fail;
# the chain and revocation data embedded in the card (its DSS), the timestamp checked.
PYHANKO_ALONE = r'''
import json, sys
from asn1crypto import crl, pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore

def der(path):
    data = open(path, "rb").read()
    return [d for _, _, d in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]

args = json.loads(sys.argv[1])
trust = {"trust_roots": [x509.Certificate.load(d) for p in args["roots"] for d in der(p)],
         "crls": [crl.CertificateList.load(d) for p in args["crls"] for d in der(p)],
         "allow_fetching": False, "revocation_mode": "hard-fail"}
with open(args["pdf"], "rb") as fh:
    reader = PdfFileReader(fh, strict=False)
    dss = DocumentSecurityStore.read_dss(reader)
    status = validate_pdf_signature(reader.embedded_regular_signatures[0],
                                    dss.as_validation_context(trust),
                                    ts_validation_context=dss.as_validation_context(trust))
ts = status.timestamp_validity
ok = status.bottom_line and ts is not None and ts.valid and ts.trusted
print("ok" if ok else "NOT OK")
sys.exit(0 if ok else 1)
'''


@dataclass(frozen=True)
class Run:
    cpu: float  # user + sys seconds
    wall: float
    peak_mb: float
    code: int


# Starts argv[1] (a JSON list) and prints the kernel's accounting of it (os.wait4). A
# small process of its own (no site, nothing imported but os, json and time): a child's
# peak memory counts the pages it was forked with, and this bench's own process, with
# kkwna and pyHanko imported to build the offices, is over 100 MB.
MEASURE = r"""
import json, os, sys, time
cmd = json.loads(sys.argv[1])
null = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
start = time.perf_counter()
pid = os.posix_spawn(cmd[0], cmd, os.environ, file_actions=null)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
print(json.dumps([usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024,
                  os.waitstatus_to_exitcode(status)]))
"""


def measure(cmd: list[str]) -> Run:
    """One whole process, by the kernel's accounting of that child alone."""
    done = subprocess.run([sys.executable, "-S", "-c", MEASURE, json.dumps(cmd)],
                          capture_output=True, text=True, check=True)
    cpu, wall, peak_mb, code = json.loads(done.stdout)
    return Run(cpu, wall, peak_mb, code)


def _kkwna() -> list[str]:
    """The venv's `kkwna` script (what a clerk runs), else `python -m pipeline`."""
    script = Path(sys.executable).with_name("kkwna")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "pipeline"]


def _said(cmd: list[str], what: str, expect: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0 or expect not in done.stdout:
        raise SystemExit(f"{what} did not say {expect!r} ({done.returncode}):\n"
                         f"{done.stdout}\n{done.stderr}")


def offices(base: Path) -> tuple[Path, Path, Path, str]:
    """An empty office; a demo office with one signed B-LTA card. Returns both offices'
    folders, the card, and pyHanko's JSON argument (the office's roots and CRLs)."""
    empty = homes.Home(base / "kosong")
    homes.init(empty)
    home = build_office(base / "demo", 1)
    t = config.load(home.root).tte.resolved(home.root)
    assert t.passphrase_file and t.trust_roots and t.crls, "the demo PKI is not configured"
    p12 = home.state / "demo-pki" / "demo-kepala-dinas.p12"
    _said([*_kkwna(), "--home", str(home.root), "sign", "--all", "--p12", str(p12),
           "--passphrase-file", str(t.passphrase_file)], "kkwna sign --all",
          "1 KK ditandatangani, 0 gagal")
    reg = Register(home.register_path)
    try:
        (case,) = reg.cases()
    finally:
        reg.close()
    card = home.root / case.folder / SIGNED
    args = json.dumps({"pdf": str(card), "roots": [str(p) for p in t.trust_roots],
                       "crls": [str(p) for p in t.crls]})
    return empty.root, home.root, card, args


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="counted rounds (default 7)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not compileall.compile_dir(ROOT / "pipeline", quiet=1):
        raise SystemExit("could not compile pipeline/ to bytecode")
    with tempfile.TemporaryDirectory(prefix="kkwna-startup-") as tmp:
        empty, office, card, pyhanko_args = offices(Path(tmp))
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "kkwna --help": [*_kkwna(), "--help"],
            "kkwna status (empty office)": [*_kkwna(), "--home", str(empty), "status"],
            "kkwna verify (B-LTA card)": [*_kkwna(), "--home", str(office), "verify",
                                          str(card)],
            "pyHanko alone validating it": [sys.executable, "-c", PYHANKO_ALONE, pyhanko_args],
        }
        _said(commands["kkwna verify (B-LTA card)"], "kkwna verify", "ASLI: ")
        _said(commands["kkwna verify (B-LTA card)"], "kkwna verify", "PAdES B-LTA")
        _said(commands["pyHanko alone validating it"], "pyHanko alone", "ok")
        runs: dict[str, list[Run]] = {name: [] for name in commands}
        for round_no in range(args.runs + 1):  # round 0 warms the caches, not counted
            for name, cmd in commands.items():
                got = measure(cmd)
                if got.code != 0:
                    raise SystemExit(f"{name} exited {got.code}")
                if round_no:
                    runs[name].append(got)
        print(report(runs))


def _median(runs: list[Run], what: str) -> float:
    return statistics.median(getattr(r, what) for r in runs)


def report(runs: dict[str, list[Run]]) -> str:
    n = len(next(iter(runs.values())))
    lines = [f"whole processes, median of {n} interleaved rounds; CPU = user+sys (judged: "
             "the machine is shared), wall for information",
             f"  {'command':30s} {'CPU s':>7s} {'wall s':>7s} {'peak MB':>8s}"]
    for name, got in runs.items():
        lines.append(f"  {name:30s} {_median(got, 'cpu'):7.3f} {_median(got, 'wall'):7.3f} "
                     f"{_median(got, 'peak_mb'):8.1f}")
    anchor = _median(runs["python -c pass"], "cpu")
    help_cpu = _median(runs["kkwna --help"], "cpu")
    help_mb = _median(runs["kkwna --help"], "peak_mb")
    verify, alone = runs["kkwna verify (B-LTA card)"], runs["pyHanko alone validating it"]
    ratio = statistics.median(v.cpu / a.cpu for v, a in zip(verify, alone, strict=True))
    status_cpu = _median(runs["kkwna status (empty office)"], "cpu")

    def meets(ok: bool) -> str:
        return "meets it" if ok else "MISSES it"

    lines += [
        f"kkwna --help: {help_cpu:.3f} s CPU, {help_mb:.1f} MB; target < {HELP_CPU} s and "
        f"< {HELP_MB:g} MB: {meets(help_cpu < HELP_CPU and help_mb < HELP_MB)} "
        f"(anchor python -c pass {anchor:.3f} s)",
        f"kkwna status, empty office: {status_cpu:.3f} s CPU (anchor python -c pass "
        f"{anchor:.3f} s; no figure set, only what it imports)",
        f"kkwna verify: {ratio:.2f}x pyHanko alone in CPU (pair by pair; "
        f"{_median(verify, 'cpu'):.3f} s against {_median(alone, 'cpu'):.3f} s); target "
        f"<= {VERIFY_RATIO}x: {meets(ratio <= VERIFY_RATIO)}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
