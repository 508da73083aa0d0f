"""Signing and verifying: kkwna against pyHanko doing the same cryptographic work alone.

    .venv/bin/python bench/signing_bench.py [--cases N] [--rounds K] [--repeats R]

Targets: `sign --all` within 1.2x pyHanko alone (wall) and within 1.5x of its peak
memory (RSS); `verify` within 1.2x.

1. `kkwna sign --all --p12 F --passphrase-file F` on N cards waiting at step 8 (default
   20), one process; against pyHanko alone in one process (`python -c`) signing copies
   of the same N desk-08 drafts: the same p12 loaded once, the same field, PAdES B-LTA
   with the same in-process timestamp authority (the demo TSA) and the validation data
   from the same root and CRL. K rounds (default 3), each on a fresh copy of the office,
   kkwna and pyHanko one after the other (A/B interleaved), medians: the machine is
   shared, so the ratios are the figures, not the absolute times. Wall time and peak RSS
   of each process (`wait4`, from a small launcher started before this script imports
   anything large, so no child inherits this process's size). A third process, the
   floor, is pyHanko alone with its DER private keys parsed once (memoised): pyHanko's
   SimpleSigner and DummyTimeStamper parse theirs again for every signature (five per
   card), which kkwna no longer does. What kkwna does beyond that is its own bookkeeping:
   checking the key is the head of office's, the drawn signature block, the register,
   the filed copy, step 9's print copy, and the next desk's form (the hand-over form,
   which the SOP's hand-over step needs on its desk): that one is drawn again for each
   card apart, in this process, and reported as its share.
2. `kkwna verify CARD` (one process) on one card kkwna signed, against pyHanko's
   `validate_pdf_signature` on the same file with the validation data embedded in it
   (its DSS: the LTV part) and the timestamp checked, both in this process and as a
   one-shot `python -c`. kkwna's figure includes starting Python and its imports, so the
   target is judged on the one-shot ratio (like for like); the in-process ratio says how
   much of the time is interpreter and import start-up. Median of R runs (default 5)
   after one warm-up run each.

The office (the demo PKI of `init --demo`, N cases driven in-process through steps 2-6,
step 7 filing each draft) is built first and not measured. Figures: README, Benchmarks.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("KKWNA_NOW", "2026-11-23T09:00:00+08:00")  # inside service hours
# every child process runs this checkout's code
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)


# Children are started by this small launcher: Linux counts the memory of the process a
# child was forked from in the child's peak RSS, and this script grows to ~100 MB.
LAUNCHER = r'''
import json, os, subprocess, sys, tempfile, time
for line in sys.stdin:
    cmd = json.loads(line)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        print(json.dumps({"s": elapsed, "rss_mb": usage.ru_maxrss / 1024,
                          "rc": child.returncode, "out": out.read().decode(errors="replace"),
                          "err": err.read().decode(errors="replace")}), flush=True)
'''
_launcher = subprocess.Popen([sys.executable, "-S", "-c", LAUNCHER], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)

from pipeline import flow  # noqa: E402
from pipeline.desks import placing  # noqa: E402
from pipeline.domain import sop  # noqa: E402
from pipeline.domain.model import Env  # noqa: E402
from pipeline.office import config  # noqa: E402
from pipeline.office import home as homes  # noqa: E402
from pipeline.render import kk_final  # noqa: E402
from pipeline.signing.demo import set_up_demo  # noqa: E402
from pipeline.signing.inspect import inspect_signature  # noqa: E402
from pipeline.signing.keys import Trust  # noqa: E402
from pipeline.store.register import Register  # noqa: E402
from tests.families import ADDRESS, HEAD  # noqa: E402
from tests.office import jpeg, run_once  # noqa: E402
from tests.stages import approvals  # noqa: E402

TARGET = 1.2  # wall time of sign --all and of verify, against pyHanko alone
MEMORY_TARGET = 1.5  # peak RSS of sign --all, against pyHanko alone
SIGNED = "08 kartu keluarga WNA.pdf"
DESK_8 = "08-kepala-dinas"

# pyHanko alone, as a user of the library would write it: only pyHanko, asn1crypto and
# the standard library are imported (nothing of kkwna). argv[1] is a JSON object.
PYHANKO_SIGN = r'''
import io, json, sys, time
from pathlib import Path
from asn1crypto import crl as asn1_crl, pem, x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext

def der_objects(path):
    data = Path(path).read_bytes()
    return [d for _, _, d in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]

args = json.loads(sys.argv[1])
if args.get("keys_parsed_once"):  # the floor: pyHanko's signers re-parse their DER keys
    import functools
    from cryptography.hazmat.primitives import serialization
    serialization.load_der_private_key = functools.lru_cache(maxsize=4)(
        serialization.load_der_private_key)
start = time.perf_counter()
passphrase = Path(args["passphrase_file"]).read_bytes().rstrip(b"\r\n")
signer = signers.SimpleSigner.load_pkcs12(args["p12"], passphrase=passphrase)
tsa = signers.SimpleSigner.load_pkcs12(args["tsa_p12"], passphrase=passphrase)
timestamper = DummyTimeStamper(tsa_cert=tsa.signing_cert, tsa_key=tsa.signing_key,
                               certs_to_embed=tsa.cert_registry)
roots = [x509.Certificate.load(d) for p in args["roots"] for d in der_objects(p)]
crls = [asn1_crl.CertificateList.load(d) for p in args["crls"] for d in der_objects(p)]
loop = time.perf_counter()
for src, out in args["pairs"]:
    # a fresh context per card, as kkwna makes one: a shared one would remember the
    # chain validated for the first card and skip that work for the others
    context = ValidationContext(trust_roots=roots, crls=crls, allow_fetching=False,
                                revocation_mode="hard-fail")
    meta = signers.PdfSignatureMetadata(
        field_name=args["field"], md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES, embed_validation_info=True,
        use_pades_lta=True, validation_context=context)
    writer = IncrementalPdfFileWriter(io.BytesIO(Path(src).read_bytes()), strict=False)
    output = io.BytesIO()
    signers.PdfSigner(meta, signer, timestamper=timestamper).sign_pdf(
        writer, existing_fields_only=True, output=output)
    Path(out).write_bytes(output.getvalue())
end = time.perf_counter()
print(json.dumps({"setup": loop - start, "loop": end - loop}))
'''

PYHANKO_VERIFY = r'''
import io, json, sys
from pathlib import Path
from asn1crypto import crl as asn1_crl, pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore

def der_objects(path):
    data = Path(path).read_bytes()
    return [d for _, _, d in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]

def validate(pdf, root_paths, crl_paths):
    """True when the one signature of *pdf* is intact, valid and trusted, judged with the
    validation data embedded in the file (no network)."""
    roots = [x509.Certificate.load(d) for p in root_paths for d in der_objects(p)]
    crls = [asn1_crl.CertificateList.load(d) for p in crl_paths for d in der_objects(p)]
    reader = PdfFileReader(io.BytesIO(Path(pdf).read_bytes()), strict=False)
    sig = reader.embedded_regular_signatures[0]
    settings = {"trust_roots": roots, "crls": crls, "allow_fetching": False,
                "revocation_mode": "hard-fail"}
    dss = DocumentSecurityStore.read_dss(reader)
    status = validate_pdf_signature(
        sig, dss.as_validation_context(settings),
        ts_validation_context=dss.as_validation_context(settings))
    return bool(status.bottom_line and status.timestamp_validity is not None
                and status.timestamp_validity.valid and status.timestamp_validity.trusted)

if __name__ == "__main__":
    args = json.loads(sys.argv[1])
    ok = validate(args["pdf"], args["roots"], args["crls"])
    print("ok" if ok else "NOT OK")
    sys.exit(0 if ok else 1)
'''


@dataclass(frozen=True)
class Keys:
    """The demo PKI files the office's kkwna.toml names."""

    p12: Path
    passphrase_file: Path
    tsa_p12: Path
    roots: tuple[Path, ...]
    crls: tuple[Path, ...]

    def json(self) -> dict[str, Any]:
        return {"p12": str(self.p12), "passphrase_file": str(self.passphrase_file),
                "tsa_p12": str(self.tsa_p12), "roots": [str(p) for p in self.roots],
                "crls": [str(p) for p in self.crls]}


def _keys(home: homes.Home) -> Keys:
    t = config.load(home.root).tte.resolved(home.root)
    assert t.passphrase_file and t.tsa_p12 and t.trust_roots, "the demo PKI is not configured"
    return Keys(p12=home.state / "demo-pki" / "demo-kepala-dinas.p12",
                passphrase_file=t.passphrase_file, tsa_p12=t.tsa_p12,
                roots=t.trust_roots, crls=t.crls)


# --- the office: N cases at step 8 -------------------------------------------------------

def _family(n: int) -> dict[str, Any]:
    """Case n's own family: no NIK, No. KK, passport or KITAP shared with another case."""
    head = {**HEAD, "nik": f"630504150380{n:04d}", "no_paspor": f"PA{n:07d}",
            "no_kitap": f"2C21JD{n:04d}-A"}
    return {**ADDRESS, "no_kk": f"630504121126{n:04d}", "anggota": [head]}


def build_office(root: Path, cases: int) -> homes.Home:
    """A demo office whose *cases* cases wait at step 8 (their drafts on desk 08)."""
    home = homes.Home(root)
    homes.init(home)
    path = home.root / config.FILENAME
    path.write_text(path.read_text().replace("stable_seconds = 2 ", "stable_seconds = 0 "))
    set_up_demo(home)
    for i in range(cases):
        jpeg(home.inbox / f"JOHN SMITH {i:02d} kitap paspor formulir.jpg", text=f"js{i}")
    run_once(home)
    env = Env(home, config.load(home.root))
    reg = Register(home.register_path)
    try:
        ids = sorted(c.id for c in reg.cases("open"))
        assert len(ids) == cases, f"{len(ids)} cases taken in, {cases} dropped"
        for step in (2, 3, 4, 5, 6):
            for n, cid in enumerate(ids, start=1):
                nip, fields = approvals(_family(n))[step]
                flow.decide_from_terminal(env, reg, cid, step, approve=True, note="",
                                          nip=nip, fields=fields)
        waiting = flow.awaiting_signature(reg)
    finally:
        reg.close()
    assert len(waiting) == cases, f"{len(waiting)} of {cases} cases wait at step 8"
    return home


# --- timing ------------------------------------------------------------------------------

def _kkwna() -> list[str]:
    """The installed `kkwna` command next to this Python (it imports this checkout's
    code through PYTHONPATH), else `python -m pipeline`."""
    script = Path(sys.executable).with_name("kkwna")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "pipeline"]


# what a process holds once it has imported (nothing run): kkwna's sign path, the
# libraries that path needs with nothing of kkwna, pyHanko's signing alone
IMPORTS = {
    "kkwna sign": "import pipeline.cli, pipeline.cli.signing, pipeline.flow",
    "its libraries": "import pyhanko.sign.signers, pyhanko.sign.validation, pikepdf, "
                     "reportlab.pdfgen.canvas, pypdf, segno, sqlite3, click",
    "pyHanko": "import pyhanko.sign.signers, pyhanko.sign.validation",
}


@dataclass(frozen=True)
class Ran:
    seconds: float
    rss_mb: float  # peak resident memory of the child process
    done: subprocess.CompletedProcess[str]


def _run(cmd: list[str]) -> Ran:
    """Run *cmd* through the launcher: its wall time and its own peak RSS."""
    assert _launcher.stdin is not None and _launcher.stdout is not None
    _launcher.stdin.write(json.dumps(cmd) + "\n")
    _launcher.stdin.flush()
    r = json.loads(_launcher.stdout.readline())
    return Ran(r["s"], r["rss_mb"], subprocess.CompletedProcess(cmd, r["rc"], r["out"], r["err"]))


def _checked(what: str, done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


@dataclass(frozen=True)
class SignFigures:
    cases: int
    rounds: int
    kkwna: float  # median wall time of `kkwna sign --all`
    kkwna_mb: float  # its median peak RSS
    pyhanko: float  # median wall time of the pyHanko process
    pyhanko_mb: float
    pyhanko_loop: float  # of which the signing loop (no start-up, no key loading)
    floor: float  # pyHanko alone with its DER keys parsed once
    floor_mb: float
    next_form: float  # drawing the next desk's form, per card, measured apart
    imports_mb: dict[str, float]  # peak RSS of importing only: where the memory goes

    @property
    def ratio(self) -> float:
        return self.kkwna / self.pyhanko

    @property
    def memory_ratio(self) -> float:
        return self.kkwna_mb / self.pyhanko_mb


@dataclass(frozen=True)
class VerifyFigures:
    kkwna: float  # median wall time of `kkwna verify`
    pyhanko_oneshot: float  # median wall time of `python -c` validating the file
    pyhanko_inprocess: float  # median time of the same validation in this process


def _drafts(home: homes.Home) -> list[Path]:
    return sorted(p for p in (home.desks / DESK_8).glob("*.pdf") if not p.name.startswith("."))


def _next_form_per_card(home: homes.Home) -> float:
    """Draw the form each signed case now waits with (the next desk's) again, in this
    process: kkwna's share of drawing per card, which pyHanko alone has not."""
    env = Env(home, config.load(home.root))
    reg = Register(home.register_path)
    times = []
    try:
        for case in reg.cases("open"):
            if sop.step(case.step).desk is None:
                continue
            start = time.perf_counter()
            placing.place(env, case, case.step)
            times.append(time.perf_counter() - start)
    finally:
        reg.close()
    return statistics.median(times) if times else 0.0


def _sign_round(office: Path, work: Path) -> tuple[Ran, Ran, Ran, float, int]:
    """One round on a fresh copy of *office*: kkwna, then pyHanko alone, then the floor."""
    shutil.copytree(office, work / "kantor", symlinks=True)
    home = homes.Home(work / "kantor")
    keys = _keys(home)
    drafts = _drafts(home)
    cases = len(drafts)
    copies, outs, floor_outs = work / "drafts", work / "pyhanko-signed", work / "floor-signed"
    for folder in (copies, outs, floor_outs):
        folder.mkdir()
    pairs, floor_pairs = [], []
    for draft in drafts:  # copied before kkwna signs (and removes) them
        shutil.copy2(draft, copies / draft.name)
        pairs.append((str(copies / draft.name), str(outs / draft.name)))
        floor_pairs.append((str(copies / draft.name), str(floor_outs / draft.name)))
    kkwna = _run([*_kkwna(), "--home", str(home.root), "sign", "--all",
                  "--p12", str(keys.p12), "--passphrase-file", str(keys.passphrase_file)])
    out = _checked("kkwna sign --all", kkwna.done).stdout
    if f"{cases} KK ditandatangani, 0 gagal" not in out:
        raise SystemExit(f"kkwna sign --all did not sign every card:\n{out}")
    args = {**keys.json(), "field": kk_final.SIGNATURE_FIELD, "pairs": pairs}
    alone = _run([sys.executable, "-c", PYHANKO_SIGN, json.dumps(args)])
    _checked("pyHanko signing", alone.done)
    floor = _run([sys.executable, "-c", PYHANKO_SIGN,
                  json.dumps({**args, "pairs": floor_pairs, "keys_parsed_once": True})])
    _checked("pyHanko signing, keys parsed once", floor.done)
    # the baselines did the whole work: their cards validate, timestamp and embedded CRL too
    validate = _validator()
    trust = Trust.load(keys.roots, keys.crls)
    for _, out_path in pairs + floor_pairs:
        if not validate(out_path, [str(p) for p in keys.roots], [str(p) for p in keys.crls]):
            raise SystemExit(f"pyHanko's {Path(out_path).name} does not validate")
        level = inspect_signature(Path(out_path), trust).level
        if level != "PAdES B-LTA":
            raise SystemExit(f"pyHanko's {Path(out_path).name} is {level}, not PAdES B-LTA")
    return kkwna, alone, floor, _next_form_per_card(home), cases


def bench_sign(office: Path, base: Path, rounds: int) -> SignFigures:
    ran = []
    for k in range(rounds):
        work = base / f"round-{k}"
        work.mkdir()
        ran.append(_sign_round(office, work))
        shutil.rmtree(work)
    med = statistics.median
    imports = {}
    for what, code in IMPORTS.items():
        ran_import = _run([sys.executable, "-c", code])
        _checked(f"importing {what}", ran_import.done)
        imports[what] = ran_import.rss_mb
    return SignFigures(
        cases=ran[0][4], rounds=rounds,
        kkwna=med(r[0].seconds for r in ran), kkwna_mb=med(r[0].rss_mb for r in ran),
        pyhanko=med(r[1].seconds for r in ran), pyhanko_mb=med(r[1].rss_mb for r in ran),
        pyhanko_loop=med(json.loads(r[1].done.stdout)["loop"] for r in ran),
        floor=med(r[2].seconds for r in ran), floor_mb=med(r[2].rss_mb for r in ran),
        next_form=med(r[3] for r in ran), imports_mb=imports)


def _validator() -> Any:
    namespace: dict[str, Any] = {"__name__": "pyhanko_verify"}
    exec(compile(PYHANKO_VERIFY, "<pyhanko-verify>", "exec"), namespace)  # noqa: S102
    return namespace["validate"]


def bench_verify(home: homes.Home, keys: Keys, card: Path, repeats: int) -> VerifyFigures:
    kkwna_cmd = [*_kkwna(), "--home", str(home.root), "verify", str(card)]
    args = json.dumps({"pdf": str(card), "roots": [str(p) for p in keys.roots],
                       "crls": [str(p) for p in keys.crls]})
    oneshot_cmd = [sys.executable, "-c", PYHANKO_VERIFY, args]
    validate = _validator()
    roots, crls = [str(p) for p in keys.roots], [str(p) for p in keys.crls]
    if not validate(card, roots, crls):
        raise SystemExit(f"pyHanko does not validate {card.name}: the baseline is wrong")
    said = _checked("kkwna verify", _run(kkwna_cmd).done).stdout  # the warm-up run too
    if "ASLI" not in said or "PAdES B-LTA" not in said:
        raise SystemExit(f"kkwna verify did not call the card a genuine B-LTA card:\n{said}")
    _checked("pyHanko one-shot", _run(oneshot_cmd).done)
    kkwna_t, oneshot_t, inproc_t = [], [], []
    for _ in range(repeats):
        ran = _run(kkwna_cmd)
        _checked("kkwna verify", ran.done)
        kkwna_t.append(ran.seconds)
        ran = _run(oneshot_cmd)
        _checked("pyHanko one-shot", ran.done)
        oneshot_t.append(ran.seconds)
        start = time.perf_counter()
        validate(card, roots, crls)
        inproc_t.append(time.perf_counter() - start)
    return VerifyFigures(statistics.median(kkwna_t), statistics.median(oneshot_t),
                         statistics.median(inproc_t))


def _verdict(ratio: float, target: float = TARGET) -> str:
    return f"within the {target}x target" if ratio <= target else f"MISSES the {target}x target"


def report(sign: SignFigures, verify: VerifyFigures, build_s: float) -> str:
    n = sign.cases
    oneshot = verify.kkwna / verify.pyhanko_oneshot
    inproc = verify.kkwna / verify.pyhanko_inprocess
    share = sign.next_form * n / sign.kkwna
    return "\n".join([
        f"office built: {n} cases at step 8 in {build_s:.1f} s (not measured)",
        f"sign {n} cards, PAdES B-LTA (median of {sign.rounds} interleaved rounds; the machine "
        "is shared: compare the ratios, not the times):",
        f"  kkwna sign --all          {sign.kkwna:7.2f} s   {sign.kkwna / n:.3f} s/card"
        f"   peak {sign.kkwna_mb:.1f} MB",
        f"  pyHanko alone (1 process) {sign.pyhanko:7.2f} s   {sign.pyhanko / n:.3f} s/card"
        f"   peak {sign.pyhanko_mb:.1f} MB   (signing loop {sign.pyhanko_loop:.2f} s)",
        f"  floor: pyHanko, keys parsed once {sign.floor:.2f} s   {sign.floor / n:.3f} s/card"
        f"   peak {sign.floor_mb:.1f} MB",
        f"  ratio {sign.ratio:.2f}x: {_verdict(sign.ratio)} (wall, anchor pyHanko alone)",
        f"  memory {sign.memory_ratio:.2f}x: {_verdict(sign.memory_ratio, MEMORY_TARGET)}"
        f" (peak RSS {sign.kkwna_mb:.1f} MB, anchor pyHanko alone {sign.pyhanko_mb:.1f} MB)",
        "  memory after the imports alone: " + ", ".join(
            f"{what} {mb:.1f} MB" for what, mb in sign.imports_mb.items()),
        f"  from the floor: {sign.kkwna / sign.floor:.2f}x wall, "
        f"{sign.kkwna_mb / sign.floor_mb:.2f}x memory",
        f"  of which the next desk's form (hand-over), drawn per card, measured apart: "
        f"{sign.next_form:.3f} s/card ({share:.0%} of kkwna's time)",
        "verify one card (median of the runs):",
        f"  kkwna verify              {verify.kkwna:7.3f} s",
        f"  pyHanko one-shot process  {verify.pyhanko_oneshot:7.3f} s   ratio {oneshot:.2f}x",
        f"  pyHanko in this process   {verify.pyhanko_inprocess:7.3f} s   ratio {inproc:.2f}x",
        f"  judged on the one-shot ratio (both start Python): {_verdict(oneshot)}",
    ])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=20, help="cards to sign (default 20)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved sign --all rounds (default 3)")
    parser.add_argument("--repeats", type=int, default=5, help="verify runs (default 5)")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.repeats < 1 or args.rounds < 1:
        parser.error("--cases, --rounds and --repeats must be at least 1")
    with tempfile.TemporaryDirectory(prefix="kkwna-signing-") as tmp:
        base = Path(tmp)
        start = time.perf_counter()
        home = build_office(base / "kantor", args.cases)
        build_s = time.perf_counter() - start
        keys = _keys(home)
        sign = bench_sign(home.root, base, args.rounds)
        # the card verified is one kkwna signed: sign the office itself once more
        _checked("kkwna sign --all", _run([*_kkwna(), "--home", str(home.root), "sign", "--all",
                                           "--p12", str(keys.p12), "--passphrase-file",
                                           str(keys.passphrase_file)]).done)
        reg = Register(home.register_path)
        try:
            first = sorted(reg.cases("open"), key=lambda c: c.id)[0]
        finally:
            reg.close()
        verify = bench_verify(home, keys, home.root / first.folder / SIGNED, args.repeats)
        print(report(sign, verify, build_s))


if __name__ == "__main__":
    main()
