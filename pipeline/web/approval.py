"""Step 8 in the browser, for the head of office: the queue of KKs waiting for the TTE,
each with a preview of the card, its history and the reviewers' parafs; approve one or
several (the signing passphrase typed each time, living only for the request), or return
one with a note. Signing and returning are `flow.sign_from_terminal` and
`flow.return_from_signature`, under the work lock like every other door."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from pipeline import flow
from pipeline.domain import clock, model, sop
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.domain.errors import KkwnaError
from pipeline.domain.model import Refused
from pipeline.reports import status
from pipeline.signing.approvers import check_head_key
from pipeline.signing.backends import backend_for
from pipeline.signing.keys import SigningError, forget_opened_keys
from pipeline.steps import signature
from pipeline.steps.tte import SIGNED_ON_THE_WEB, tte_draft_name
from pipeline.store.register import Register
from pipeline.web.auth import CSRF_REFUSED, checked_form, head, locked_message, refused, staff
from pipeline.web.base import Door, client, door, page

log = logging.getLogger(__name__)
PREVIEW_WIDTH = 1080  # px: sharp on a 360 px wide phone at 3x, pinch to zoom for more
# the parafs the head sees: the review steps' approvals (the analyst's, the division's)
REVIEW_STEPS = tuple(s.number for s in sop.STEPS if s.layout == "review")
NO_P12 = ("kunci Kepala Dinas untuk server belum diatur: isi tte.head_of_office_p12 di "
          "kkwna.toml")
_render_lock = threading.Lock()  # pdfium is not thread-safe
_previews: dict[tuple[str, int], bytes] = {}


def _history(d: Door, reg: Register, case: Case) -> list[dict[str, Any]]:
    rows = []
    for e in reg.events(case.id):
        detail = json.loads(e["detail"] or "{}")
        rows.append({"waktu": clock.stamp(datetime.fromisoformat(e["at"]), d.env.cfg.tz),
                     "langkah": e["step"], "peran": sop.step(e["step"]).role.name,
                     "aksi": e["action"], "petugas": e["officer_name"],
                     "nip": e["officer_nip"], "catatan": str(detail.get("catatan", "")),
                     "paraf": e["step"] in REVIEW_STEPS and e["action"] == Action.APPROVED})
    return rows


def _waiting(d: Door) -> list[dict[str, Any]]:
    """The queue: every case waiting at step 8, oldest first."""
    reg = Register(d.home.register_path)
    try:
        now = clock.now(d.env.cfg.tz)
        found = []
        for cid in flow.awaiting_signature(reg):
            case = reg.find(cid)
            if case is None:
                continue
            history = _history(d, reg, case)
            waited = status.waiting_minutes(d.env.cfg, case, now)
            found.append({"id": case.id, "nama": model.applicant_name(case),
                          "no_kk": case.data.get("keluarga", {}).get("no_kk", ""),
                          "menit": f"{waited:.1f}", "standar": d.env.cfg.minutes[case.step],
                          "terlambat": waited > d.env.cfg.minutes[case.step],
                          "riwayat": history, "paraf": [h for h in history if h["paraf"]]})
        return found
    finally:
        reg.close()


def _forbidden(request: Request) -> Response:
    """Not logged in (or idle too long): to the login; logged in as someone else: 403."""
    if staff(request) is None:
        return RedirectResponse("/masuk", status_code=303)
    return refused(request, "halaman ini hanya untuk Kepala Dinas; masuk dengan NIP Kepala "
                            "Dinas", 403)


async def queue(request: Request) -> Response:
    if head(request) is None:
        return _forbidden(request)
    cases = await to_thread.run_sync(_waiting, door(request))
    return page(request, "antrean.html", {"kasus": cases})


def _preview_png(d: Door, case_id: str) -> bytes | None:
    import pypdfium2 as pdfium

    reg = Register(d.home.register_path)
    try:
        case = reg.find(case_id)
    finally:
        reg.close()
    if case is None or case.status != "open" or case.step != signature().step.number:
        return None
    draft = d.home.root / case.folder / tte_draft_name(case)
    key = (str(draft), draft.stat().st_mtime_ns)
    if key not in _previews:
        import io

        with _render_lock:
            pdf = pdfium.PdfDocument(draft)
            try:
                first = pdf[0]
                scale = PREVIEW_WIDTH / first.get_width()
                image = first.render(scale=scale).to_pil()
            finally:
                pdf.close()
        buf = io.BytesIO()
        image.convert("RGB").save(buf, format="PNG", optimize=True)
        if len(_previews) > 64:
            _previews.clear()
        _previews[key] = buf.getvalue()
    return _previews[key]


async def preview(request: Request) -> Response:
    if head(request) is None:
        return _forbidden(request)
    png = await to_thread.run_sync(_preview_png, door(request), request.path_params["case"])
    if png is None:
        return refused(request, "kasus ini tidak menunggu tanda tangan", 404)
    return Response(png, media_type="image/png")


def _sign(d: Door, cases: list[str], p12: Path | None, passphrase: bytes,
          detail: dict[str, object]) -> tuple[str, list[str], list[str]]:
    """(a key problem or "", signed lines, failed lines). With `[tte] backend = "bsre"`
    the TTE service signs and judges the passphrase; else the p12 here."""
    try:
        try:
            if p12 is not None:
                check_head_key(d.env, p12, passphrase)
            backend = backend_for(d.env.tte, d.home.state, passphrase=passphrase, p12=p12)
        except SigningError as exc:
            return str(exc), [], []
        signed, failed = [], []
        reg = Register(d.home.register_path)
        try:
            for cid in cases:
                try:
                    signed.append(flow.sign_from_terminal(
                        d.env, reg, cid, backend=backend, how=SIGNED_ON_THE_WEB,
                        detail=detail))
                except KkwnaError as exc:  # one case failing does not stop the others
                    failed.append(f"{cid}: {exc}")
                except Exception as exc:  # noqa: BLE001 - nor does an unexpected error
                    log.error("%s: penandatanganan gagal: %s", cid, type(exc).__name__)
                    failed.append(f"{cid}: kesalahan internal ({type(exc).__name__})")
        finally:
            reg.close()
        return "", signed, failed
    finally:
        forget_opened_keys()  # the passphrase lives only for this request


async def approve(request: Request) -> Response:
    d, officer = door(request), head(request)
    if officer is None:
        return _forbidden(request)
    session, form = await checked_form(request)
    if session is None:
        return refused(request, CSRF_REFUSED, 403)
    wait = d.lockout.remaining(officer.nip)
    if wait:
        return refused(request, locked_message(wait), 429)
    cases = [c.strip().upper() for c in form.get("kasus", []) if c.strip()]
    typed = (form.get("sandi_sertifikat") or [""])[0]
    if not cases:
        return refused(request, "pilih paling sedikit satu KK untuk ditandatangani", 400)
    if not typed:
        return refused(request, "kata sandi sertifikat belum diisi", 400)
    remote = d.env.tte.backend == "bsre"
    p12 = None if remote else d.env.tte.head_of_office_p12
    if p12 is None and not remote:
        return refused(request, NO_P12, 409)
    detail: dict[str, object] = {"alamat_klien": client(request), "nip_penyetuju": officer.nip}
    problem, signed, failed = await to_thread.run_sync(
        _sign, d, cases, p12, typed.encode("utf-8"), detail)
    del typed
    if problem:
        d.lockout.fail(officer.nip)
        log.info("kata sandi sertifikat ditolak untuk NIP %s dari %s", officer.nip,
                 client(request))
        wait = d.lockout.remaining(officer.nip)
        return refused(request, locked_message(wait) if wait else problem, 400)
    d.lockout.succeed(officer.nip)
    return page(request, "hasil.html", {"ditandatangani": signed, "gagal": failed})


def _return(d: Door, case_id: str, nip: str, note: str,
            detail: dict[str, object]) -> tuple[str, list[str]]:
    reg = Register(d.home.register_path)
    try:
        return flow.return_from_signature(d.env, reg, case_id, nip=nip, note=note,
                                          detail=detail), []
    except Refused as exc:
        return "", list(exc.problems)
    except KkwnaError as exc:
        return "", [str(exc)]
    finally:
        reg.close()


async def send_back(request: Request) -> Response:
    d, officer = door(request), head(request)
    if officer is None:
        return _forbidden(request)
    session, form = await checked_form(request)
    if session is None:
        return refused(request, CSRF_REFUSED, 403)
    note = (form.get("catatan") or [""])[0].strip()
    detail: dict[str, object] = {"alamat_klien": client(request), "cara": SIGNED_ON_THE_WEB}
    done, problems = await to_thread.run_sync(
        _return, d, request.path_params["case"].upper(), officer.nip, note, detail)
    if problems:
        return refused(request, "; ".join(problems), 400)
    return page(request, "hasil.html", {"dikembalikan": done})


routes = [Route("/persetujuan", queue, methods=["GET"]),
          Route("/persetujuan/setujui", approve, methods=["POST"]),
          Route("/persetujuan/{case}/pratinjau.png", preview, methods=["GET"]),
          Route("/persetujuan/{case}/kembalikan", send_back, methods=["POST"])]
