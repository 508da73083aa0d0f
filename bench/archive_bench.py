"""Performance targets of the archive, measured, not assumed.

    .venv/bin/python bench/archive_bench.py [--quick] [--verify-cases N] [--year-cases N]

1. fixity: `verify_archive` over N filed cases (default 1,000) against `sha256sum -c` over
   the same files (one checksum list, one process), both with a warm page cache. "ratio"
   is verify's time over sha256sum's (lower is faster); "speed" its inverse, verify's speed
   as a multiple of sha256sum's; target: speed at least 0.8 (ratio at most 1.25). The
   run includes every chain check (each case's committed state, the log's reach, and a
   signed checkpoint, made before the run and checked with the seal certificate).
2. filing: the time to file one more case into a year that already holds N registered
   cases (default 2,000), books, binder label and contents included; target < 1 s.

Cases are made through the Register's own functions (tests/archive_cases.py). The bulk of
the archive is filed with the per-filing book refresh turned off, then the books are drawn
once: the bench measures the last filing, not the setting up.

Measured on the 2-core development machine (shared with other work), 27 November 2026:
1,000 filed cases, 7,900 files, 353 MB: verify_archive 0.67 s, sha256sum -c 1.05 s,
ratio 0.64; filing one case into a year of 2,000: 0.36 s. With the chain checks of issue 14
(3 December 2026, the machine loaded by other work): see CHANGELOG.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

from pipeline import archive, checkpoint, config  # noqa: E402
from pipeline import home as homes  # noqa: E402
from pipeline.archive import binders, filing  # noqa: E402
from pipeline.register import Register  # noqa: E402
from tests.archive_cases import make_case  # noqa: E402

SCAN_BYTES = 150_000  # a small scanned page: the folders hold real bytes to hash


class _Cert:
    """What `checkpoint.problems` needs of a seal certificate: its public key."""

    def __init__(self, key: Any) -> None:
        self._key = key

    def public_key(self) -> Any:
        return self._key


def _kind(n: int) -> int | None:
    return 3 if n % 10 == 3 else None


def _build(root: Path, year_cases: int, filed: int) -> tuple[homes.Home, config.Config,
                                                               Register, list[Any]]:
    home = homes.Home(root)
    homes.init(home)
    cfg = config.load(root)
    reg = Register(home.register_path)
    cases = [make_case(home, reg, n, returned_at=_kind(n), scan_bytes=SCAN_BYTES)
             for n in range(1, year_cases + 1)]
    with reg.transaction() as db:  # the rest of the year is still in progress
        for case in cases[filed:]:
            reg.update(db, case, status="open", step=5)
            reg.add_event(db, case.id, at=case.received_at, step=4, action="disetujui")
    real_refresh = filing.refresh
    filing.refresh = lambda *args, **kwargs: None
    try:
        for case in cases[:filed]:
            archive.file_case(home, cfg, reg, case)
    finally:
        filing.refresh = real_refresh
    for odner in sorted({archive.odner_number(cfg, c) for c in cases[:filed]}):
        binders.write_binder_sheets(home, cfg, reg, cases[0].year, odner)
    archive.write_books(home, cfg, reg, cases[0].year)
    return home, cfg, reg, cases


def _sha256sum_list(home: homes.Home, out: Path) -> tuple[int, int]:
    """One checksum list over every archived file (paths relative to the home)."""
    files = size = 0
    lines = []
    for sums in sorted(home.archive.glob("*/odner-*/*/SHA256SUMS")):
        folder = sums.parent.relative_to(home.root).as_posix()
        for line in sums.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            lines.append(f"{digest}  {folder}/{name}\n")
            files += 1
            size += (sums.parent / name).stat().st_size
    out.write_text("".join(lines), encoding="utf-8")
    return files, size


def run(verify_cases: int = 1000, year_cases: int = 2000) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="kkwna-archive-bench-") as tmp:
        t0 = time.perf_counter()
        home, cfg, reg, cases = _build(Path(tmp) / "kantor", year_cases, verify_cases)
        setup = time.perf_counter() - t0
        listing = Path(tmp) / "semua.sha256"
        files, size = _sha256sum_list(home, listing)
        subprocess.run(["sha256sum", "-c", "--quiet", str(listing)], cwd=home.root,
                       check=True)  # warms the page cache for both runs

        t0 = time.perf_counter()
        subprocess.run(["sha256sum", "-c", "--quiet", str(listing)], cwd=home.root,
                       check=True)
        sha256sum_s = time.perf_counter() - t0

        seal = ec.generate_private_key(ec.SECP256R1())
        checkpoint.add(reg, seal, at=cases[0].received_at)
        t0 = time.perf_counter()
        problems = archive.verify_archive(home, reg, seal_cert=_Cert(seal.public_key()))
        verify_s = time.perf_counter() - t0
        if problems:
            raise SystemExit("verify_archive found problems:\n" + "\n".join(problems[:10]))

        late = make_case(home, reg, year_cases + 1, scan_bytes=SCAN_BYTES)
        t0 = time.perf_counter()
        archive.file_case(home, cfg, reg, late)
        file_one_s = time.perf_counter() - t0
        reg.close()
    return {"setup_s": setup, "files": files, "megabytes": size / 1e6,
            "sha256sum_s": sha256sum_s, "verify_s": verify_s,
            "ratio": verify_s / sha256sum_s, "speed": sha256sum_s / verify_s,
            "year_cases": year_cases,
            "file_one_s": file_one_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 filed cases, a year of 300")
    parser.add_argument("--verify-cases", type=int, default=1000)
    parser.add_argument("--year-cases", type=int, default=2000)
    args = parser.parse_args()
    verify_cases, year_cases = ((100, 300) if args.quick
                                else (args.verify_cases, args.year_cases))
    r = run(verify_cases, max(year_cases, verify_cases))
    print(f"setup: {r['setup_s']:.0f} s")
    print(f"fixity: {r['files']:.0f} files, {r['megabytes']:.0f} MB: verify_archive "
          f"{r['verify_s']:.2f} s, sha256sum -c {r['sha256sum_s']:.2f} s, "
          f"ratio {r['ratio']:.2f}, speed {r['speed']:.2f}x sha256sum (target >= 0.8) "
          f"{'OK' if r['speed'] >= 0.8 else 'SLOW'}")
    verdict = "OK" if r["file_one_s"] < 1 else "SLOW"
    print(f"filing one case into a year of {r['year_cases']:.0f}: {r['file_one_s']:.2f} s "
          f"(target < 1 s) {verdict}")


if __name__ == "__main__":
    main()
