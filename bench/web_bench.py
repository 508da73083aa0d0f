"""`kkwna serve` under load: 50 concurrent clients on 127.0.0.1 for 30 s each phase.

    .venv/bin/python bench/web_bench.py [--clients 50] [--seconds 30]

The office is `kkwna demo`'s (one signed KK, issued) with 50 open cases added over the
desks (bench/status_bench.py's `open_cases`). The server runs in its own process, as
`kkwna serve` does (one uvicorn worker), with the per-client rate limit lifted: every
client here comes from 127.0.0.1, and the figure wanted is what the door can carry.

Phases, each `--seconds` long:
1. POST /verifikasi, Accept: application/json, the genuine and a tampered KK in turn
   (the server keeps signature verdicts by SHA-256: repeated files are the cached case);
2. the same with that cache off (every request verifies the signature again);
3. GET /papan as a logged-in officer (the board, from `status.as_json`).
Printed per phase: requests, errors (anything but the expected answer), p50/p95/max.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from status_bench import open_cases  # noqa: E402

from pipeline.demo.walkthrough import run_demo  # noqa: E402
from pipeline.office import config  # noqa: E402
from pipeline.office import home as homes  # noqa: E402
from pipeline.store.register import Register  # noqa: E402
from pipeline.web.passwords import set_password  # noqa: E402

PASSWORD = "sandi-bench-kepala-1"
SERVER = """
import sys, uvicorn
from pathlib import Path
from pipeline.office import home as homes
from pipeline.web.app import WebSettings, create_app
app = create_app(homes.Home(Path(sys.argv[1])),
                 WebSettings(verify_per_minute=0, verify_cache=int(sys.argv[3])))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
            access_log=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(home: Path, cache: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(home), str(port), str(cache)],
                            cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def multipart(data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; "
            f"filename=\"kk.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode() \
        + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def login(port: int, nip: str) -> str:
    """The session cookie of *nip* logged in."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/masuk")
    resp = conn.getresponse()
    page = resp.read().decode()
    cookie = resp.getheader("set-cookie", "").split(";")[0]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf, "no CSRF token"
    body = urllib.parse.urlencode({"csrf": csrf.group(1), "nip": nip, "sandi": PASSWORD})
    conn.request("POST", "/masuk", body, {"Content-Type": "application/x-www-form-urlencoded",
                                          "Cookie": cookie})
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 303, resp.status
    return resp.getheader("set-cookie", "").split(";")[0]


def run_phase(port: int, clients: int, seconds: float, request) -> dict[str, object]:
    """*clients* threads, each on its own keep-alive connection, calling *request(conn, n)*
    (True when the answer was the expected one) until *seconds* have passed."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        n, mine, bad = k, [], 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                ok = request(conn, n)
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(time.perf_counter() - started)
            bad += 0 if ok else 1
            n += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    return {"requests": len(ms), "errors": errors[0], "per_second": round(len(ms) / seconds, 1),
            "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1), "max_ms": round(ms[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kkwna-web-") as tmp:
        demo = run_demo(Path(tmp) / "kantor")
        home = homes.Home(demo.home)
        cfg = config.load(home.root)
        genuine = next((home.root / "print").glob("*08 kartu keluarga WNA.pdf")).read_bytes()
        tampered = bytearray(genuine)
        tampered[len(tampered) // 3] ^= 1
        os.environ.setdefault("KKWNA_NOW", "2026-11-23T10:00:00+08:00")
        reg = Register(home.register_path)
        try:
            open_cases(reg, cfg, 50)
        finally:
            reg.close()
        head = cfg.head_of_office().nip
        set_password(home, cfg, head, PASSWORD)
        bodies = [(multipart(genuine), True), (multipart(bytes(tampered)), False)]

        def verify(conn: http.client.HTTPConnection, n: int) -> bool:
            (body, ctype), genuine_one = bodies[n % 2]
            conn.request("POST", "/verifikasi", body, {"Content-Type": ctype,
                                                       "Accept": "application/json"})
            resp = conn.getresponse()
            answer = resp.read()
            return resp.status == 200 and json.loads(answer)["asli"] is genuine_one

        results: dict[str, object] = {}
        for name, cache in (("verifikasi (cache)", 256), ("verifikasi (tanpa cache)", 0)):
            proc, port = start_server(home.root, cache)
            try:
                results[name] = run_phase(port, args.clients, args.seconds, verify)
            finally:
                proc.terminate()
                proc.wait(10)
        proc, port = start_server(home.root, 256)
        try:
            cookie = login(port, head)

            def board(conn: http.client.HTTPConnection, n: int) -> bool:
                conn.request("GET", "/papan?segar=1", headers={"Cookie": cookie})
                resp = conn.getresponse()
                page = resp.read()
                return resp.status == 200 and b"Papan kantor" in page
            results["papan"] = run_phase(port, args.clients, args.seconds, board)
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"{args.clients} klien, {args.seconds:g} s per fase, {os.cpu_count()} inti")
    for name, figures in results.items():
        print(f"{name}: {json.dumps(figures)}")


if __name__ == "__main__":
    main()
