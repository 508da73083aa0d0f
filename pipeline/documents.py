"""What each SOP step writes: the data every layout gets, and the documents a decision files.

The drawing is `render` (layouts/) and `kk` (the card); this module decides which document,
under which name, with which data. Names follow INTERFACE.md: `NN <what>.pdf`, ` (k)` for
later rounds of a loop.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline import clock, family, kk, render, sop
from pipeline.config import Config
from pipeline.engine import CHECKLIST, Decision, Transition
from pipeline.fsutil import atomic_copy
from pipeline.home import Home
from pipeline.register import Case, Register

HISTORY = "riwayat.pdf"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the counter
SLIP = "tanda bukti pengambilan"
RETURN_LETTER = "surat pengembalian berkas"
LAYOUT = {2: "checklist", 3: "verifikasi", 4: "input_data", 5: "review", 6: "review"}
STATUS = {"intake": "sedang diterima", "open": "dalam proses",
          "returned": "dikembalikan kepada pemohon", "issued": "KK sudah terbit",
          "cancelled": "dibatalkan"}
REVIEW_TITLE = {5: "LEMBAR KOREKSI KONSEP KARTU KELUARGA",
                6: "LEMBAR KOREKSI DAN PARAF KONSEP KARTU KELUARGA"}


def collection_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


# --- the data a layout sees -----------------------------------------------------------------

def base_data(cfg: Config, case: Case) -> dict[str, Any]:
    return {
        "office": cfg.office_data(),
        "kasus": case.id,
        "judul": case.title,
        "diterima": clock.stamp(case.received_at, cfg.tz),
        "di_luar_jam": case.outside_hours,
        "tanggal": clock.long_date(clock.now(cfg.tz).date()),
    }


def form_data(cfg: Config, case: Case, step: int, extra: dict[str, Any]) -> dict[str, Any]:
    data = base_data(cfg, case)
    d = case.data
    extra = dict(extra)  # taken apart below; the caller's stays whole
    fields: dict[str, Any] = {}
    if step == 2:
        data["berkas"] = [{"nama": n, "halaman": str(p)}
                          for n, p in zip(d.get("berkas", []), d.get("halaman", []), strict=False)]
        fields.update(d.get("checklist_hint", {}))
    elif step == 3:
        data["diterima_front_office"] = _checklist_rows(d)
        data["data_ganda"] = duplicate_rows(extra.pop("data_ganda", d.get("data_ganda_awal", [])))
        fields["bukan_data_ganda"] = not data["data_ganda"]
    elif step == 4:
        data["catatan_analis"] = d.get("catatan_analis", "")
        fields.update(family.to_form_fields(d["keluarga"]) if d.get("keluarga")
                      else _known_member(d))
    elif step in (5, 6):
        keluarga = d.get("keluarga", {})
        head = family.head_of_family(keluarga) or {}
        data.update(judul_review=REVIEW_TITLE[step], no_kk=keluarga.get("no_kk", ""),
                    kepala_keluarga=head.get("nama_lengkap", ""),
                    jumlah_anggota=str(len(keluarga.get("anggota", []))),
                    putaran=str(case.round(step)),
                    catatan_sebelumnya=d.get(f"catatan_kembali_{step}", ""))
    data["fields"] = {**fields, **extra.pop("fields", {})}
    data.update(extra)
    return data


def duplicate_rows(duplicates: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"nomor_register": x["case_id"], "nama": x["title"], "kesamaan": x["what"],
             "status": STATUS.get(x["status"], x["status"])}
            for x in duplicates]


def _checklist_rows(d: dict[str, Any]) -> list[dict[str, str]]:
    ticks = d.get("checklist", {})
    return [{"persyaratan": label, "ada": "ADA" if ticks.get(key) else "TIDAK ADA"}
            for key, label, _ in CHECKLIST]


def _known_member(d: dict[str, Any]) -> dict[str, str]:
    """Step 4 pre-filled with what step 3 established (the applicant's documents)."""
    return {"a1_no_paspor": d.get("no_paspor", ""), "a1_no_kitap": d.get("no_kitap", ""),
            "a1_status_hubungan": "KEPALA KELUARGA"}


def render_form(home: Home, data: dict[str, Any], path: Path, *, case: Case, step: int,
                attach: Path | None = None) -> Path:
    return render.render(LAYOUT[step], data, path, mode="form", case_id=case.id, step=step,
                         layout_dirs=home.layout_dirs, attach=attach)


def _filed(home: Home, layout: str, data: dict[str, Any], out: Path, case: Case, step: int,
           attach: Path | None = None) -> Path:
    return render.render(layout, data, out, mode="filed", case_id=case.id, step=step,
                         layout_dirs=home.layout_dirs, attach=attach)


# --- what a decision files --------------------------------------------------------------------

def draft_path(home: Home, case: Case) -> Path:
    """The current draft KK (the newest `04 konsep KK*.pdf` of the case)."""
    return home.root / case.folder / case.data["konsep"]


def numbered(step: int, what: str, taken: set[str]) -> str:
    """`NN what.pdf`, or ` (k)` for the k-th of that name: counted in the register, so a
    step run again after a crash writes the same name again."""
    k = 1
    while sop.document_name(step, what, k) in taken:
        k += 1
    return sop.document_name(step, what, k)


def officer_data(t: Transition) -> dict[str, str]:
    return {"petugas_nama": t.officer.nama, "petugas_nip": t.officer.nip_display,
            "petugas_jabatan": t.officer.jabatan}


def file_step(home: Home, cfg: Config, case: Case, d: Decision, t: Transition,
              now: datetime, taken: set[str]) -> list[str]:
    """Write the documents this decision leaves in the case folder; returns their names.
    *taken*: the names the register already holds for the case."""
    folder = home.root / case.folder
    step = d.step
    name = numbered(step, sop.step(step).document or "", taken)
    data = form_data(cfg, case, step, {})
    data.update(officer_data(t))
    data["fields"] = {**dict(d.fields), "keputusan": "setuju" if t.approve else "kembalikan",
                      "catatan": d.note, "petugas_nama": t.officer.nama,
                      "petugas_nip": t.officer.nip_display}
    filed: list[str] = []

    if step == 3:
        data["data_ganda"] = duplicate_rows(t.record.get("data_ganda", []))
    if step in (2, 3):
        _filed(home, LAYOUT[step], data, folder / name, case, step)
        filed.append(name)
    elif step == 4:
        kk.render_kk(t.record["keluarga"], folder / name, office=cfg.office_data(),
                     case_id=case.id, issued=None, watermark="KONSEP")
        case.data["konsep"] = name
        filed.append(name)
    elif step == 5:
        _filed(home, "review", data, folder / name, case, step, attach=draft_path(home, case))
        filed.append(name)
    elif step == 6:
        if not t.approve:
            name = numbered(6, "lembar koreksi", taken)
            _filed(home, "review", data, folder / name, case, step)
        else:
            draft = folder / f".konsep-diparaf-{case.id}.pdf"
            kk.render_kk(case.data["keluarga"], draft, office=cfg.office_data(),
                         case_id=case.id, issued=None, watermark="KONSEP",
                         paraf=kk.Paraf(t.officer.nama, t.officer.nip_display, now))
            _filed(home, "review", data, folder / name, case, step, attach=draft)
            draft.unlink()
        filed.append(name)

    if step == 2 and t.approve:
        case.collection_code = case.collection_code or collection_code()
        slip = sop.document_name(2, SLIP)
        slip_data = {**base_data(cfg, case), **officer_data(t),
                     "kode_pengambilan": case.collection_code}
        _filed(home, "tanda_bukti", slip_data, folder / slip, case, 2)
        _to_print(home, case, folder / slip)
        filed.append(slip)
    if not t.approve and t.next_step is None:  # returned to the applicant
        letter = sop.document_name(step, RETURN_LETTER)
        letter_data = {**base_data(cfg, case), **officer_data(t),
                       "nomor": f"{case.id}/{step:02d}", "langkah_nama":
                       f"Langkah {step}: {sop.step(step).action} ({sop.step(step).role.name})",
                       "alasan": d.note.strip(), "kekurangan": t.missing}
        _filed(home, "surat_pengembalian", letter_data, folder / letter, case, step)
        _to_print(home, case, folder / letter)
        filed.append(letter)
    return filed


def _to_print(home: Home, case: Case, document: Path) -> None:
    atomic_copy(document, home.print / f"{case.id} {case.title} - {document.name}")


def place_next(home: Home, cfg: Config, case: Case, d: Decision, t: Transition) -> None:
    """Put the next desk's form down (called after `file_step`, before the commit)."""
    from pipeline import desks

    nxt = t.next_step
    assert nxt is not None
    if nxt == 4 and d.step == 5:
        case.data["catatan_analis"] = (f"Dikembalikan oleh {t.officer.nama} (Analis) "
                                       f"pada putaran {t.round}: {d.note.strip()}")
    if nxt == 5 and d.step == 6:
        case.data["catatan_kembali_5"] = (f"Dikembalikan oleh {t.officer.nama} "
                                          f"(Kepala Bidang): {d.note.strip()}")
    attach = draft_path(home, case) if nxt in (5, 6) else None
    desks.place(home, cfg, case, nxt, attach=attach)


def identities(case: Case, step: int) -> list[tuple[str, str]]:
    """What the duplicate-data check will find this case by, once the step is decided."""
    d = case.data
    if step == 3:
        return [("paspor", d.get("no_paspor", "")), ("kitap", d.get("no_kitap", ""))]
    if step == 4:
        pairs = []
        for m in d.get("keluarga", {}).get("anggota", []):
            pairs += [("nik", m.get("nik", "")),
                      ("nama_lahir", f"{m.get('nama_lengkap', '')}|{m.get('tanggal_lahir', '')}"),
                      ("paspor", m.get("no_paspor", "")), ("kitap", m.get("no_kitap", ""))]
        return pairs
    return []


# --- the history sheet ------------------------------------------------------------------------

def write_history(home: Home, cfg: Config, reg: Register, case: Case, out: Path) -> Path:
    rows = []
    for e in reg.events(case.id):
        rows.append({
            "waktu": clock.stamp(datetime.fromisoformat(e["at"]), cfg.tz),
            "langkah": str(e["step"]),
            "kegiatan": e["action"] + (f" (putaran {e['round']})" if e["round"] > 1 else ""),
            "petugas": e["officer_name"] or "-",
        })
    docs = [{"nama": r["name"], "sha256": r["sha256"][:16] + "...", "ukuran": str(r["size"])}
            for r in reg.documents(case.id)]
    data = {**base_data(cfg, case), "status": STATUS.get(case.status, case.status),
            "riwayat": rows, "dokumen": docs}
    return _filed(home, "riwayat", data, out, case, case.step)
