"""The office board for logged-in staff: open cases by desk in SOP order against the
standard's minutes, late ones marked: `status.as_json`, the function behind
`kkwna status --json`, so the board and the terminal never disagree. It reloads itself
every few seconds without restarting the session's idle clock (`?segar=1`)."""

from __future__ import annotations

import time
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from pipeline.domain import sop
from pipeline.office import faults
from pipeline.reports import status
from pipeline.store.register import Register
from pipeline.web.auth import head, staff
from pipeline.web.base import Door, door, page


def _board(d: Door) -> dict[str, Any]:
    reg = Register(d.home.register_path)
    try:
        data = status.as_json(d.env.cfg, reg, d.home)
    finally:
        reg.close()
    desks = []
    for step in sop.STEPS:
        rows = [c for c in data["kasus_terbuka"] if c["langkah"] == step.number]
        if rows:
            desks.append({"langkah": step.number, "peran": step.role.name,
                          "menunggu": step.waits_for, "standar": d.env.cfg.minutes[step.number],
                          "kasus": rows, "terlambat": sum(1 for r in rows if r["terlambat"])})
    return {"meja": desks, "gangguan": faults.load(d.home).lines()}


FRESH_SECONDS = 2.0  # many staff reloading at once read the register once


async def board(request: Request) -> Response:
    if staff(request) is None:
        return RedirectResponse("/masuk", status_code=303)
    d = door(request)
    kept = d.board_kept
    if kept is not None and time.monotonic() - kept[0] < FRESH_SECONDS:
        data = kept[1]
    else:
        data = await to_thread.run_sync(_board, d)
        d.board_kept = (time.monotonic(), data)
    auto = request.query_params.get("segar") == "1"
    return page(request, "papan.html", {**data, "segar": d.settings.board_refresh,
                                        "kepala": head(request) is not None}, touch=not auto)


routes = [Route("/papan", board, methods=["GET"])]
