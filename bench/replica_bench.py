"""Issue 20's acceptance run: replicate a 1,000-case archive, change a byte at the source,
replicate again (reported, not copied), restore from the copy and verify it.

    .venv/bin/python bench/replica_bench.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.archive_bench import _build  # noqa: E402
from pipeline.archive import replica  # noqa: E402
from pipeline.archive.fixity import verify_archive  # noqa: E402
from pipeline.office import home as homes  # noqa: E402
from pipeline.store.register import Register  # noqa: E402


def main(cases: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        home, _cfg, reg, _ = _build(root / "kantor", cases, cases)
        print(f"built {cases} filed cases: {time.perf_counter() - t:.1f} s")
        dest = root / "nas"
        for label in ("first replicate", "second replicate (nothing new)"):
            t = time.perf_counter()
            result = replica.replicate(home, reg, dest)
            print(f"{label}: {len(result.copied)} files copied, {len(result.problems)} "
                  f"problems, {time.perf_counter() - t:.2f} s")
        victim = next((home.archive / "2026").glob("odner-*/*/03 lembar verifikasi.pdf"))
        victim.parent.chmod(0o755)
        victim.chmod(0o644)
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 1
        victim.write_bytes(bytes(data))
        t = time.perf_counter()
        result = replica.replicate(home, reg, dest)
        copy = dest / "archive" / victim.relative_to(home.archive)
        print(f"after one changed byte: refused={result.refused}, problems={result.problems}, "
              f"copy intact={copy.read_bytes() != bytes(data)}, "
              f"{time.perf_counter() - t:.2f} s")
        fresh = homes.Home(root / "baru")
        homes.init(fresh)
        t = time.perf_counter()
        count = replica.restore(dest, fresh)
        back = Register(fresh.register_path)
        problems = verify_archive(fresh, back)
        back.close()
        print(f"restore: {count} files, archive verify problems: {len(problems)}, "
              f"{time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
