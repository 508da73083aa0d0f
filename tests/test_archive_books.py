"""The register book and collection book (PDF and CSV), and a year of 120 filed cases."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pypdf
import pytest

from pipeline import archive
from pipeline.archive import books
from pipeline.domain import model
from pipeline.office import config
from pipeline.office.home import Home
from pipeline.render import pdfa
from pipeline.store.register import Register
from tests.archive_cases import make_case


def flat(text: str) -> str:
    return " ".join(text.split())


def pages_of(path: Path) -> list[str]:
    return [flat(p.extract_text()) for p in pypdf.PdfReader(path).pages]


def kind(n: int) -> int | None:
    """Which cases of a test year are returned, and at which step."""
    return {3: 3, 7: 2}.get(n % 10)


def expected_row(n: int) -> dict[str, str]:
    """What the register book must say about case *n* (built independently of books.py)."""
    cid = f"KKWNA-2026-{n:04d}"
    returned = kind(n)
    nation = ("AUSTRALIA", "JEPANG", "BELANDA", "MALAYSIA", "AMERIKA SERIKAT")[n % 5]
    hour = 8 + n  # received at 08:30 + n hours on 5 January (may run into later days)
    day, hour = 5 + (hour + 0) // 24, hour % 24

    def at(minutes: int) -> str:
        return f"{day:02d}-01-2026 {hour:02d}:{30 + minutes:02d} WITA"

    row = {"no": str(n), "tanggal_diterima": at(0), "nomor_register": cid,
           "pemohon": f"PEMOHON NOMOR {n}", "layanan": "Penerbitan Kartu Keluarga WNA",
           "kewarganegaraan": "", "verifikator": "", "tanggal_selesai": "", "no_kk": "",
           "tanggal_diambil": "", "diterima_oleh": "", "petugas": ""}
    if returned == 2:
        row.update(hasil_checklist="Tidak lengkap (3/4): kurang KITAP dari kantor imigrasi",
                   keterangan="Dikembalikan pada langkah 2: KITAP sudah tidak berlaku")
    elif returned == 3:
        row.update(hasil_checklist="Lengkap (4/4)", verifikator="DEMO VERIFIKATOR",
                   keterangan="Dikembalikan pada langkah 3: KITAP sudah tidak berlaku")
    else:
        row.update(hasil_checklist="Lengkap (4/4)", verifikator="DEMO VERIFIKATOR",
                   kewarganegaraan=nation, tanggal_selesai=at(15),
                   no_kk=f"63050412{n:08d}", tanggal_diambil=at(20),
                   diterima_oleh=f"PENERIMA {n}", petugas="DEMO PETUGAS PENYERAHAN",
                   keterangan="KK sudah diserahkan")
    return row


def register_year(office: Home, reg: Register, count: int) -> list:
    return [make_case(office, reg, n, returned_at=kind(n)) for n in range(1, count + 1)]


def row_text(row: dict[str, str], columns: tuple[books.Column, ...]) -> str:
    return flat(" ".join(row.get(c.key, "") for c in columns if row.get(c.key)))


def test_book_rows_and_csv_say_what_happened(office: Home, reg: Register,
                                             cfg: config.Config) -> None:
    register_year(office, reg, 8)
    rows = archive.book_rows(reg, 2026)
    assert [{k: r[k] for k in expected_row(1)} for r in rows] == \
        [expected_row(n) for n in range(1, 9)]
    out = io.StringIO()
    assert archive.export_csv(reg, out, 2026) == 8
    table = list(csv.reader(io.StringIO(out.getvalue())))
    assert table[0][:4] == ["No.", "Tanggal diterima", "Nomor register", "Nama pemohon"]
    assert [line[2] for line in table[1:]] == [f"KKWNA-2026-{n:04d}" for n in range(1, 9)]
    assert table[3][table[0].index("Keterangan")] == \
        "Dikembalikan pada langkah 3: KITAP sudah tidak berlaku"
    # a person reads the status too: in Indonesian, not the register's own word
    statuses = {line[table[0].index("Status")] for line in table[1:]}
    assert statuses <= set(model.STATUS.values()) and "issued" not in statuses
    assert archive.export_csv(reg, io.StringIO(), 2025) == 0


def test_books_are_landscape_pdfa_pinned_to_the_chain_head(office: Home, reg: Register,
                                                           cfg: config.Config) -> None:
    cases = register_year(office, reg, 8)
    for case in cases:
        archive.file_case(office, cfg, reg, case)
    register_book, collection_book = archive.write_books(office, cfg, reg, 2026)
    for path in (register_book, collection_book):
        page = pypdf.PdfReader(path).pages[0]
        assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
        assert pdfa.validate(path).passed
        assert books.chain_head(reg) in pages_of(path)[-1]
    text = " ".join(pages_of(register_book))
    for n in range(1, 9):
        assert row_text(expected_row(n), books.REGISTER_COLUMNS) in text
    collected = " ".join(pages_of(collection_book))
    assert "PENERIMA 8" in collected and "AB08-CD" in collected
    assert "PEMOHON NOMOR 3" not in collected  # returned: never collected


def test_filing_redraws_only_the_chunk_whose_rows_changed(office: Home, reg: Register,
                                                          cfg: config.Config) -> None:
    per_chunk = books.sheets.rows_per_page(books.sheets.LANDSCAPE) * books.CHUNK_PAGES
    cases = register_year(office, reg, per_chunk + 4)
    archive.file_case(office, cfg, reg, cases[0])
    cache = office.state / "buku" / "register-2026"
    first, second = cache / "0000.pdf", cache / "0001.pdf"
    before = (first.stat().st_mtime_ns, second.stat().st_mtime_ns)
    late = make_case(office, reg, per_chunk + 5)  # a new row in the second chunk
    archive.file_case(office, cfg, reg, late)
    assert first.stat().st_mtime_ns == before[0]
    assert second.stat().st_mtime_ns != before[1]
    pages = pages_of(office.archive / "2026" / "buku-register-2026.pdf")
    assert len(pages) == books.CHUNK_PAGES + 1
    assert "Halaman 5" in pages[-1] and f"KKWNA-2026-{per_chunk + 5:04d}" in pages[-1]


@pytest.mark.slow
def test_a_year_of_120_cases_fills_three_binders_and_the_books(
        office: Home, reg: Register, cfg: config.Config) -> None:
    assert cfg.cases_per_odner == 50
    for case in register_year(office, reg, 120):
        archive.file_case(office, cfg, reg, case)
    year = office.archive / "2026"
    assert sorted(p.name for p in year.iterdir()) == [
        "buku-pengambilan-dokumen-2026.pdf", "buku-register-2026.pdf",
        "odner-01", "odner-02", "odner-03"]
    for number, (first, last) in enumerate(((1, 50), (51, 100), (101, 120)), start=1):
        binder = year / f"odner-{number:02d}"
        label = " ".join(pages_of(binder / "label.pdf"))
        assert f"ODNER {number:02d}" in label
        assert f"KKWNA-2026-{first:04d} s.d. KKWNA-2026-{last:04d}" in label
        assert f"{last - first + 1} berkas (kapasitas 50)" in label
        contents = " ".join(pages_of(binder / "daftar-isi.pdf"))
        listed = [f"KKWNA-2026-{n:04d} PEMOHON NOMOR {n}" for n in range(first, last + 1)]
        positions = [contents.index(item) for item in listed]
        assert positions == sorted(positions)
        assert len([d for d in binder.iterdir() if d.is_dir()]) == last - first + 1
        for sheet in ("label.pdf", "daftar-isi.pdf"):
            assert pdfa.validate(binder / sheet).passed

    register_book = year / "buku-register-2026.pdf"
    text = " ".join(pages_of(register_book))
    at = 0
    for n in range(1, 121):  # every row right, and in register order
        expected = row_text(expected_row(n), books.REGISTER_COLUMNS)
        found = text.index(expected, at)
        at = found + len(expected)
    assert pdfa.validate(register_book).passed
    assert archive.verify_archive(office, reg) == []



def test_the_archive_benchmark_measures_both_targets(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    import importlib.util

    monkeypatch.setenv("KKWNA_NOW", "2026-11-23T09:00:00+08:00")
    path = Path(__file__).resolve().parent.parent / "bench" / "archive_bench.py"
    spec = importlib.util.spec_from_file_location("archive_bench", path)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, "SCAN_BYTES", 5000)
    small = bench.fixity(2, 4, 1, tmp_path)
    result = bench.fixity(3, 6, 2, tmp_path, file_one=True)
    # two issued cases of 10 files (provenance.json, the validation report), one returned of 8
    assert result["files"] == 2 * 10 + 8
    # the whole command, the function and the anchor, each run (the command exits 0 only
    # when it found nothing, signed checkpoint included)
    assert result["verify_s"] > 0 and result["sha256sum_s"] > 0 and result["command_s"] > 0
    assert result["command_s"] > result["verify_s"]  # it starts Python too
    assert 0 < result["file_one_s"] < 10
    growth = bench._growth(small, result)
    assert "2 -> 3 cases (1.5x the cases" in growth
    assert growth.count(" s -> ") == 3


# --- what a clerk reads on a book's page ---------------------------------------------------------

PAD = 2.0  # points of paper between a cell's rule and any of its letters


def cell_overlaps(path: Path, columns: tuple[books.Column, ...]) -> list[str]:
    """Every letter of the table whose ink comes within PAD of its cell's rules, on every
    page of *path*: the cells are the columns' fractions of the table's width, the rows the
    header and the fixed-height rows under it (the geometry the book promises)."""
    import pypdfium2

    sheets = books.sheets
    doc = pypdfium2.PdfDocument(str(path))
    bad = []
    try:
        for number, page in enumerate(doc, start=1):
            width, height = page.get_size()
            table = width - 2 * sheets.MARGIN
            edges = [sheets.MARGIN]
            for col in columns:
                edges.append(edges[-1] + col.width * table)
            top = height - sheets.MARGIN - sheets._top_height()
            rows = [(top, top - sheets.HEADER_HEIGHT)]
            for _ in range(sheets.rows_per_page(sheets.LANDSCAPE)):
                rows.append((rows[-1][1], rows[-1][1] - sheets.ROW_HEIGHT))
            text = page.get_textpage()
            for i in range(text.count_chars()):
                char = text.get_text_range(i, 1)
                if not char.strip():
                    continue
                left, bottom, right, up = text.get_charbox(i)
                x, y = (left + right) / 2, (bottom + up) / 2
                if not rows[-1][1] < y < top:
                    continue  # the letterhead and the footer
                k = max(j for j in range(len(columns)) if edges[j] <= x)
                row = next(r for r in rows if r[1] < y <= r[0])
                room = min(left - edges[k], edges[k + 1] - right, row[0] - up,
                           bottom - row[1])
                if room < PAD:
                    bad.append(f"page {number}, column {columns[k].title!r}: "
                               f"{char!r} {room:.2f} pt from the rule")
    finally:
        doc.close()
    return bad


def awkward_rows(count: int) -> list[dict[str, str]]:
    """Rows whose texts fill their cells: long unbroken words, capitals that overhang (J, W,
    V), the longest remark a case can have."""
    rows = []
    for n in range(1, count + 1):
        rows.append({
            "no": str(n), "no_ambil": str(n), "tanggal_diterima": "05-01-2026 09:30 WITA",
            "nomor_register": f"KKWNA-2026-{n:04d}",
            "pemohon": "JOHANNES WOLFESCHLEGELSTEINHAUSENBERGERDORFF VAN DER WAALS",
            "kewarganegaraan": "JEPANG" if n % 2 else "AMERIKA SERIKAT",
            "layanan": books.service_title("kk-wna"), "hasil_checklist":
                "Tidak lengkap (2/4): kurang KITAP dari kantor imigrasi, Pemohon datang "
                "sendiri (tidak dikuasakan)",
            "verifikator": "VIVIAN WIJAYAKUSUMAWARDHANI", "tanggal_selesai":
                "05-01-2026 09:45 WITA", "no_kk": "6305041200000001",
            "tanggal_diambil": "05-01-2026 09:50 WITA", "diterima_oleh": "JOHN WAYNE",
            "petugas": "DEMO PETUGAS PENYERAHAN", "kode_pengambilan": "WWWW-WWWW",
            "keterangan": "Dikembalikan pada langkah 3: " + "VWJ " * 40,
        })
    return rows


@pytest.mark.parametrize("columns", [books.REGISTER_COLUMNS, books.COLLECTION_COLUMNS],
                         ids=["register", "pengambilan"])
def test_no_letter_touches_a_cell_rule(tmp_path: Path, columns: tuple[books.Column, ...]
                                       ) -> None:
    import io as _io
    sheets = books.sheets
    sheet = books.Sheet(("PEMERINTAH KABUPATEN TAPIN", "Jl. Datu Nuraya"), "BUKU", "uji",
                        sheets.LANDSCAPE)
    buf = _io.BytesIO()
    c = sheets.new_sheet_canvas(buf, sheet)
    sheets.draw_table_pages(c, sheet, columns, awkward_rows(sheets.rows_per_page(
        sheets.LANDSCAPE) + 2), first_page=1, footer="uji")
    c.save()
    out = tmp_path / "buku.pdf"
    out.write_bytes(buf.getvalue())
    assert cell_overlaps(out, columns) == []


def test_the_books_pages_keep_their_letters_off_the_rules(office: Home, reg: Register,
                                                          cfg: config.Config) -> None:
    for case in register_year(office, reg, 8):
        archive.file_case(office, cfg, reg, case)
    register_book, collection_book = archive.write_books(office, cfg, reg, 2026)
    assert cell_overlaps(register_book, books.REGISTER_COLUMNS) == []
    assert cell_overlaps(collection_book, books.COLLECTION_COLUMNS) == []


def test_the_footer_names_the_chain_head_as_a_clerk_knows_it(office: Home, reg: Register,
                                                             cfg: config.Config) -> None:
    for case in register_year(office, reg, 3):
        archive.file_case(office, cfg, reg, case)
    for path in archive.write_books(office, cfg, reg, 2026):
        last = pages_of(path)[-1]
        assert f"Kode pengaman register: {books.chain_head(reg)}" in last
        assert "rantai" not in last.lower() and "hash" not in last.lower()
