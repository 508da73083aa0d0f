"""The office's books for a year: the register book and the collection book, and their CSV.

archive/<YYYY>/buku-register-<YYYY>.pdf lists every case registered that year (cancelled
ones too, so every number is accounted for), each service's cases together under its own
title (KK WNA first, numbered by its register numbers); buku-pengambilan-dokumen-<YYYY>.pdf lists
every KK handed over, in the order of hand-over. Both are A4 landscape PDF/A-2b.

Cheap regeneration: a page always holds the same number of rows, and the book is drawn in
chunks of `CHUNK_PAGES` pages cached under .kkwna/buku/. Filing a case redraws only the
chunks whose rows changed (usually the last one) and joins the cached chunks, so a year of
2,000 cases costs a filing a fraction of a second. Each page's footer carries the
register's chain head at the time that page was printed, labelled "Kode pengaman register"
for the clerk: a page left unchanged keeps the head of its earlier printing, which is
still a link of the append-only chain; the last chunk is redrawn whenever the head moved,
so the last page carries the current head.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import pikepdf

import pipeline.archive.records as records
import pipeline.archive.sheets as sheets
from pipeline import services
from pipeline.archive.sheets import Column, Sheet
from pipeline.domain import clock
from pipeline.domain.actions import Action
from pipeline.domain.model import STATUS
from pipeline.office.config import Config
from pipeline.office.fsutil import atomic_write_bytes, atomic_write_text
from pipeline.office.home import Home
from pipeline.store.register import Register

CHUNK_PAGES = 4
LAYOUT_VERSION = "4"  # bump when the drawing changes, so cached chunks are redrawn
READ_ONLY = 0o444

# The register book's columns, in order: (key, title, width, align). The CSV uses the same.
REGISTER_COLUMNS = (
    Column("No.", "no", 0.028, "center"),
    Column("Tanggal diterima", "tanggal_diterima", 0.058, "center"),
    Column("Nomor register", "nomor_register", 0.09),
    Column("Nama pemohon", "pemohon", 0.11),  # "JOHN MICHAEL SMITH" on one line
    Column("Warga negara", "kewarganegaraan", 0.062),
    Column("Jenis layanan", "layanan", 0.07),  # a service title in three lines
    Column("Hasil checklist", "hasil_checklist", 0.075),
    Column("Verifikator", "verifikator", 0.07),
    Column("Tanggal selesai", "tanggal_selesai", 0.058, "center"),
    Column("No. KK", "no_kk", 0.078),
    Column("Tanggal diambil", "tanggal_diambil", 0.058, "center"),
    Column("Diterima oleh", "diterima_oleh", 0.06),
    Column("Petugas penyerahan", "petugas", 0.065),
    Column("Keterangan", "keterangan", 0.068),
    # recorded at filing (records.py): the code in force then; its retention and final
    # disposition, too long for a cell, are spelled out under the book's title
    Column("Kode klasifikasi", "kode_klasifikasi", 0.05),
)
COLLECTION_COLUMNS = (
    Column("No.", "no_ambil", 0.04, "center"),
    Column("Tanggal diambil", "tanggal_diambil", 0.09, "center"),
    Column("Nomor register", "nomor_register", 0.11),
    Column("Nama pemohon", "pemohon", 0.15),
    Column("No. KK", "no_kk", 0.11),
    Column("Kode pengambilan", "kode_pengambilan", 0.08, "center"),
    Column("Diterima oleh", "diterima_oleh", 0.14),
    Column("Petugas penyerahan", "petugas", 0.17),
    Column("Keterangan", "keterangan", 0.11),
)
CSV_FIELDS = tuple(c.key for c in REGISTER_COLUMNS) + ("klasifikasi", "kode_pengambilan",
                                                       "status")
CSV_TITLES = {"klasifikasi": "Klasifikasi arsip (retensi, nasib akhir)"}


def register_book_path(home: Home, year: int) -> Path:
    return home.archive / str(year) / f"buku-register-{year}.pdf"


def collection_book_path(home: Home, year: int) -> Path:
    return home.archive / str(year) / f"buku-pengambilan-dokumen-{year}.pdf"


def chain_head(reg: Register) -> str:
    """The hash of the register's newest event ('' for an empty register)."""
    head = getattr(reg, "chain_head", None)
    if callable(head):
        return str(head())
    row = reg.db.execute("SELECT hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    return str(row[0]) if row else ""


# --- the rows -----------------------------------------------------------------------------------

def _date(iso: str, cfg_tz: Any) -> str:
    return clock.stamp(datetime.fromisoformat(iso), cfg_tz) if iso else ""


def service_title(code: str) -> str:
    """The service's title as the book prints it (its code, for a service this installation
    no longer runs: the case is listed all the same)."""
    try:
        return services.get(code).title
    except KeyError:
        return code


def _service_order(code: str) -> tuple[int, str]:
    known = [s.code for s in services.all()]
    return (known.index(code), "") if code in known else (len(known), code)


def _checklist_result(ticks: Mapping[str, Any], service: str) -> str:
    """Against the case's own service's requirements."""
    if not ticks:
        return ""
    try:
        wanted = services.get(service).requirements
    except KeyError:
        return ""
    have = sum(1 for r in wanted if ticks.get(r.key))
    missing = [r.label for r in wanted if r.required and not ticks.get(r.key)]
    if missing:
        return f"Tidak lengkap ({have}/{len(wanted)}): kurang " + ", ".join(missing)
    return f"Lengkap ({have}/{len(wanted)})"


def _officer(e: sqlite3.Row) -> str:
    """The officer's name (the NIP is in the case's riwayat.pdf; the book keeps it short)."""
    return str(e["officer_name"])


def book_rows(reg: Register, year: int, tz: Any = None) -> list[dict[str, str]]:
    """One row per case registered in *year*, each service's cases together in register
    order (KK WNA first, then the services as registered), with the register book's columns
    (keys of `CSV_FIELDS`); dates in office time (*tz*, WITA by default)."""
    from zoneinfo import ZoneInfo

    zone = tz or ZoneInfo("Asia/Makassar")
    cases = sorted(reg.db.execute(
        "SELECT id, service, seq, title, status, step, received_at, collection_code, data,"
        " replaces FROM cases WHERE year = ? ORDER BY seq", (year,)).fetchall(),
        key=lambda c: _service_order(c["service"]))  # stable: seq order within a service
    events: dict[str, list[sqlite3.Row]] = {}
    for e in reg.db.execute(
            "SELECT * FROM events WHERE case_id IN (SELECT id FROM cases WHERE year = ?)"
            " ORDER BY id", (year,)):
        events.setdefault(e["case_id"], []).append(e)
    replaced = reg.replacements()
    return [_row(c, events.get(c["id"], []), zone, replaced.get(c["id"])) for c in cases]


def _row(c: sqlite3.Row, evs: Sequence[sqlite3.Row], zone: Any,
         replaced_by: tuple[str, datetime] | None = None) -> dict[str, str]:
    data = json.loads(c["data"])
    keluarga = data.get("keluarga") or {}
    head: dict[str, Any] = next((m for m in keluarga.get("anggota", [])
                 if str(m.get("status_hubungan", "")).upper() == "KEPALA KELUARGA"), {})
    verifier = next((e for e in reversed(evs) if e["step"] == 3
                     and e["action"] in (Action.APPROVED, Action.RETURNED)), None)
    signed = next((e for e in reversed(evs) if e["action"] == Action.SIGNED), None)
    handed = next((e for e in reversed(evs) if e["action"] == Action.HANDED_OVER), None)
    hand_detail = json.loads(handed["detail"]) if handed else {}
    row = {
        "no": str(c["seq"]),
        "tanggal_diterima": _date(c["received_at"], zone),
        "nomor_register": c["id"],
        "pemohon": head.get("nama_lengkap") or c["title"],
        "kewarganegaraan": str(head.get("kewarganegaraan", "")),
        "layanan": service_title(c["service"]),
        "hasil_checklist": _checklist_result(data.get("checklist") or {}, c["service"]),
        "verifikator": _officer(verifier) if verifier else "",
        "tanggal_selesai": _date(signed["at"], zone) if signed else "",
        "no_kk": str(keluarga.get("no_kk", "")) if signed or handed else "",
        "tanggal_diambil": _date(handed["at"], zone) if handed else "",
        "diterima_oleh": str(hand_detail.get("penerima_nama", "")),
        "petugas": _officer(handed) if handed else "",
        "keterangan": _remarks(c, evs, replaced_by, zone),
        "kode_pengambilan": str(hand_detail.get("kode_pengambilan") or c["collection_code"]
                                or ""),
        "status": STATUS.get(c["status"], c["status"]),  # a person reads it: Indonesian
        **_classification(evs),
    }
    return row


def _classification(evs: Sequence[sqlite3.Row]) -> dict[str, str]:
    filed = records.filing_event(evs)
    rec = records.from_event(filed) if filed is not None else None
    if rec is None:
        return {"klasifikasi": "", "kode_klasifikasi": ""}
    return {"klasifikasi": records.short(rec), "kode_klasifikasi": rec.kode}


def _classes_line(rows: Sequence[Mapping[str, str]]) -> str:
    """Under the register book's title: what each classification code in it keeps."""
    seen = list(dict.fromkeys(r["klasifikasi"] for r in rows if r.get("klasifikasi")))
    return f" · Klasifikasi arsip: {'; '.join(seen)}" if seen else ""


def _remarks(c: sqlite3.Row, evs: Sequence[sqlite3.Row],
             replaced_by: tuple[str, datetime] | None = None, zone: Any = None) -> str:
    """What the book says of the case's end, and of the cards it replaced or that replaced
    its own. A replaced card says so first and alone (the cell holds three short lines, and
    the hand-over is in its own columns): it is no longer valid, and the archivist reads
    which KK replaced it here."""
    if replaced_by is not None:
        new, at = replaced_by
        return f"Diganti oleh {new} ({clock.short_date(at.astimezone(zone).date())})"
    state = _state(c, evs)
    if c["replaces"]:
        old = c["replaces"]
        return f"Mengubah KK {old}" if c["status"] == "issued" else f"{state}; mengubah KK {old}"
    return state


def _state(c: sqlite3.Row, evs: Sequence[sqlite3.Row]) -> str:
    status = c["status"]
    if status == "returned":
        back = next((e for e in reversed(evs) if e["action"] == Action.RETURNED), None)
        if back is None:
            return "Dikembalikan kepada pemohon"
        reason = str(json.loads(back["detail"]).get("catatan", "")).strip()
        return f"Dikembalikan pada langkah {back['step']}" + (f": {reason}" if reason else "")
    if status == "cancelled":
        return "Dibatalkan (berkas ditarik sebelum diproses)"
    if status == "issued":
        return "KK sudah diserahkan"
    return f"Dalam proses (langkah {c['step']})"


def collection_rows(rows: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The collection book: the handed-over cases of the register book, in hand-over order."""
    handed = [r for r in rows if r["tanggal_diambil"]]
    handed.sort(key=lambda r: (_sortable(r["tanggal_diambil"]), r["nomor_register"]))
    out = []
    for n, r in enumerate(handed, start=1):
        out.append({**r, "no_ambil": str(n), "keterangan": ""})
    return out


def _sortable(stamp: str) -> str:
    """'23-11-2026 09:14 WITA' -> '2026-11-23 09:14' (sorts by time)."""
    day, _, rest = stamp.partition(" ")
    d, m, y = (day.split("-") + ["", "", ""])[:3]
    return f"{y}-{m}-{d} {rest}"


# --- the PDFs -----------------------------------------------------------------------------------

def write_books(home: Home, cfg: Config, reg: Register, year: int,
                head: str | None = None) -> tuple[Path, Path]:
    """(Re)write the year's register book and collection book; returns their paths.
    *head*: the chain head to print on redrawn pages (default: the register's now)."""
    rows = book_rows(reg, year, cfg.tz)
    chain = head if head is not None else chain_head(reg)
    printed = clock.stamp(clock.now(cfg.tz), cfg.tz)
    office = cfg.office_data()
    lines = sheets.office_lines(office)
    register_sheet = Sheet(lines, f"BUKU REGISTER (AGENDA REGISTRASI) {year}",
                           f"Permohonan Kartu Keluarga WNA - {office['wilayah']}"
                           + _classes_line(rows),
                           sheets.LANDSCAPE)
    collection_sheet = Sheet(lines, f"BUKU PENGAMBILAN DOKUMEN {year}",
                             "Penyerahan Kartu Keluarga WNA kepada pemohon", sheets.LANDSCAPE)
    out_register = register_book_path(home, year)
    out_collection = collection_book_path(home, year)
    _write_book(home, f"register-{year}", register_sheet, REGISTER_COLUMNS, rows,
                out_register, chain, printed)
    _write_book(home, f"pengambilan-{year}", collection_sheet, COLLECTION_COLUMNS,
                collection_rows(rows), out_collection, chain, printed)
    return out_register, out_collection


def _write_book(home: Home, name: str, sheet: Sheet, columns: Sequence[Column],
                rows: Sequence[Mapping[str, str]], out: Path, chain: str, printed: str) -> None:
    per_chunk = sheets.rows_per_page(sheet.pagesize) * CHUNK_PAGES
    cache = home.state / "buku" / name
    cache.mkdir(parents=True, exist_ok=True)
    keys = [c.key for c in columns]
    chunks = [rows[i:i + per_chunk] for i in range(0, len(rows), per_chunk)] or [[]]
    paths = []
    for n, chunk in enumerate(chunks):
        # the last chunk is redrawn whenever the head moved (a filing adds an event but
        # may change no row), so the book's last page always carries the current head
        last = chain if n == len(chunks) - 1 else ""
        content = json.dumps([LAYOUT_VERSION, sheet.lines, sheet.title, sheet.subtitle, n,
                              [[r.get(k, "") for k in keys] for r in chunk], last],
                             ensure_ascii=False)
        key = hashlib.sha256(content.encode()).hexdigest()
        pdf_path, key_path = cache / f"{n:04d}.pdf", cache / f"{n:04d}.key"
        if not (pdf_path.exists() and key_path.exists() and key_path.read_text() == key):
            _draw_chunk(sheet, columns, chunk, n * CHUNK_PAGES + 1, chain, printed, pdf_path)
            atomic_write_text(key_path, key)
        paths.append(pdf_path)
    for stale in cache.glob("*.pdf"):
        if stale not in paths:
            stale.unlink(missing_ok=True)
            stale.with_suffix(".key").unlink(missing_ok=True)
    _join(paths, out, sheet.title)


def _draw_chunk(sheet: Sheet, columns: Sequence[Column], rows: Sequence[Mapping[str, str]],
                first_page: int, chain: str, printed: str, out: Path) -> None:
    buf = io.BytesIO()
    c = sheets.new_sheet_canvas(buf, sheet)
    # a clerk compares the code, not a "chain head": the label says what it is for
    footer = (f"Dicetak {printed}. Kode pengaman register: {chain or '(register masih kosong)'}"
              " (untuk mencocokkan halaman ini dengan register elektronik)")
    sheets.draw_table_pages(c, sheet, columns, rows, first_page=first_page, footer=footer)
    c.save()
    sheets.save(buf, out, sheet.title)


def _join(chunks: Sequence[Path], out: Path, title: str) -> None:
    """Join validated PDF/A-2b chunks: the first carries the output intent and XMP."""
    with pikepdf.open(chunks[0]) as book:
        others = [pikepdf.open(p) for p in chunks[1:]]
        try:
            for other in others:
                book.pages.extend(other.pages)
            book.docinfo["/Title"] = title
            buf = io.BytesIO()
            book.save(buf)
        finally:
            for other in others:
                other.close()
    atomic_write_bytes(out, buf.getvalue())
    out.chmod(READ_ONLY)


def export_csv(reg: Register, out: TextIO, year: int | None = None, tz: Any = None) -> int:
    """Write the register book's rows (all years, or *year*) as CSV; returns the row count."""
    if year is None:
        years = [r[0] for r in reg.db.execute("SELECT DISTINCT year FROM cases ORDER BY year")]
    else:
        years = [year]
    writer = csv.DictWriter(out, fieldnames=list(CSV_FIELDS), extrasaction="ignore")
    titles = {**{c.key: c.title for c in REGISTER_COLUMNS}, **CSV_TITLES}
    writer.writerow({k: titles.get(k, k.replace("_", " ").capitalize()) for k in CSV_FIELDS})
    count = 0
    for y in years:
        for row in book_rows(reg, y, tz):
            writer.writerow(row)
            count += 1
    return count
