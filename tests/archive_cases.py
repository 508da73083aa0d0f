"""Finished and returned cases made through the Register's own functions, for the archive
tests and the archive benchmark: real (small, PDF/A-2b) files in real case folders, the
events the steps record, the documents with their checksums."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.domain.case import Case
from pipeline.office.fsutil import atomic_copy, sha256_file
from pipeline.office.home import Home
from pipeline.render import fonts, pdfa
from pipeline.store.register import Register

YEAR = 2026
START = datetime.fromisoformat("2026-01-05T08:30:00+08:00")
FRONT = ("DEMO PETUGAS FRONT OFFICE", "199001012015032001")
VERIFIER = ("DEMO VERIFIKATOR", "198802022014031002")
HEAD_OF_OFFICE = ("H. AHMAD DEMO", "197001011995031001")
HANDOVER = ("DEMO PETUGAS PENYERAHAN", "199506062019032006")
NATIONS = ("AUSTRALIA", "JEPANG", "BELANDA", "MALAYSIA", "AMERIKA SERIKAT")
SLIP = "02 tanda bukti pengambilan.pdf"
KK = "08 kartu keluarga WNA.pdf"


@cache
def pdf_bytes(title: str) -> bytes:
    """A one-page PDF/A-2b document saying *title* (made once, copied into every case)."""
    buf = io.BytesIO()
    c = fonts.new_canvas(buf, (595, 842), title)
    c.setFont(fonts.BOLD, 14)
    c.drawString(72, 760, title.upper())
    c.showPage()
    c.save()
    out = Path(f"/tmp/kkwna-archive-test-{abs(hash(title))}.pdf")
    pdfa.save_pdfa(buf.getvalue(), out, title)
    data = out.read_bytes()
    out.unlink()
    return data


def _write(folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def family(n: int) -> dict[str, Any]:
    return {"no_kk": f"63050412{n:08d}"[-16:],
            "anggota": [{"nama_lengkap": f"PEMOHON NOMOR {n}", "status_hubungan":
                         "KEPALA KELUARGA", "kewarganegaraan": NATIONS[n % len(NATIONS)]},
                        {"nama_lengkap": f"ISTRI NOMOR {n}", "status_hubungan": "ISTRI",
                         "kewarganegaraan": NATIONS[(n + 1) % len(NATIONS)]}]}


def make_case(home: Home, reg: Register, n: int, *, returned_at: int | None = None,
              reason: str = "KITAP sudah tidak berlaku", year: int = YEAR,
              scan_bytes: int = 2000, kk_title: str = "Kartu keluarga WNA",
              kk_bytes: bytes | None = None, service: str | None = None,
              replaces: str | None = None) -> Case:
    """Case number *n* of the test year, finished (issued and collected), or returned to the
    applicant at step *returned_at* (2 or 3) with *reason*. *kk_title*: what its signed KK
    says (by default every case's KK has the same bytes); *kk_bytes*: a really signed KK;
    *service*: a case of that service (KK WNA's by default); *replaces*: the case whose KK
    it changes (linked before its own KK is signed, as the change service's step 3 does)."""
    title = f"PEMOHON NOMOR {n}"
    received = START.replace(year=year) + timedelta(hours=n)
    with reg.transaction() as db:
        case = reg.open_case(db, year=year, title=title, received_at=received,
                             clock_start=received, outside_hours=False,
                             folder_for=lambda cid: f"cases/{cid} {title}",
                             source_name=f"{title}.pdf", source_key=f"key-{year}-{n}",
                             **({} if service is None else {"service": service}))
    folder = home.root / case.folder
    files = {"01 berkas permohonan.pdf": pdf_bytes("Berkas permohonan"),
             "scans/paspor.jpg": bytes([n % 256]) * scan_bytes + f"scan {n}".encode(),
             "02 lembar checklist.pdf": pdf_bytes("Lembar checklist")}
    events: list[tuple[int, str, tuple[str, str], dict[str, Any]]] = [
        (1, "diterima", ("", ""), {"berkas": ["paspor.jpg"], "sumber": f"{title}.pdf"})]
    if returned_at == 2:
        events.append((2, "dikembalikan", FRONT, {"catatan": reason}))
        files["02 surat pengembalian berkas.pdf"] = pdf_bytes("Surat pengembalian")
    else:
        events.append((2, "disetujui", FRONT, {"catatan": ""}))
        files[SLIP] = pdf_bytes("Tanda bukti pengambilan")
        files["03 lembar verifikasi.pdf"] = pdf_bytes("Lembar verifikasi")
        if returned_at == 3:
            events.append((3, "dikembalikan", VERIFIER, {"catatan": reason}))
            files["03 surat pengembalian berkas.pdf"] = pdf_bytes("Surat pengembalian")
        else:
            events += [(3, "disetujui", VERIFIER, {"catatan": ""}),
                       (8, "ditandatangani", HEAD_OF_OFFICE, {}),
                       (11, "diserahkan", HANDOVER,
                        {"penerima_nama": f"PENERIMA {n}", "kode_pengambilan": f"AB{n:02d}-CD"})]
            files["04 konsep KK.pdf"] = pdf_bytes("Konsep KK")
            files[KK] = kk_bytes if kk_bytes is not None else pdf_bytes(kk_title)
    for name, data in files.items():
        _write(folder, name, data)
    if SLIP in files:  # printed for the applicant, as the step does
        atomic_copy(folder / SLIP, home.print / f"{case.id} {title} - {SLIP}")
    status = "issued" if returned_at is None else "returned"
    last_step = events[-1][0]
    with reg.transaction() as db:
        if replaces is not None:
            reg.set_replaces(db, case.id, replaces)
        for i, (step, action, (who, nip), detail) in enumerate(events):
            reg.add_event(db, case.id, at=received + timedelta(minutes=5 * i), step=step,
                          action=action, officer_name=who, officer_nip=nip, detail=detail)
        for name in files:
            path = folder / name
            reg.add_document(db, case.id, name=name, step=int(name[:2]) if name[0].isdigit()
                             else 1, sha256=sha256_file(path), size=path.stat().st_size,
                             at=received)
        reg.update(db, case, status=status, step=last_step,
                   collection_code=None if returned_at == 2 else f"AB{n:02d}-CD",
                   data={"keluarga": family(n) if returned_at is None else {},
                         "checklist": {"cek_formulir": True, "cek_kitap": returned_at != 2,
                                       "cek_paspor": True, "cek_hadir_sendiri": True}})
    return case
