"""Forgeries of a signed KK: each appends one incremental revision after the signature,
the way anyone holding a genuine card (the applicant gets one by e-mail) could.

Each takes the genuine file and writes the forgery to *out*. They are what a hostile
tester tried against desk 08 and `kkwna verify` (issue 14); every one must fail.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from pipeline.signing import keys, pades

OTHER_CASE = "KKWNA-2026-0002"
OTHER_NO_KK = "6305041211260099"
OTHER_HOLDER = "BOB BROWN"


def _writer(path: Path) -> IncrementalPdfFileWriter:
    return IncrementalPdfFileWriter(io.BytesIO(path.read_bytes()), strict=False)


def _save(w: IncrementalPdfFileWriter, out: Path) -> None:
    buf = io.BytesIO()
    w.write(buf)  # type: ignore[no-untyped-call]
    out.write_bytes(buf.getvalue())


def info_changed(path: Path, out: Path, case: str = OTHER_CASE, no_kk: str = OTHER_NO_KK,
                 holder: str = OTHER_HOLDER) -> None:
    """The Info dictionary now names another case, No. KK and head of family."""
    w = _writer(path)
    info = w.trailer["/Info"].get_object()
    for key, value in ((pades.INFO_CASE, case), (pades.INFO_NO_KK, no_kk),
                       (pades.INFO_HOLDER, holder)):
        info[pdf_name(key)] = generic.TextStringObject(value)
    w.mark_update(w.trailer.raw_get("/Info"))
    _save(w, out)


def new_info(path: Path, out: Path) -> None:
    """A fresh Info dictionary object, the old one left in place but no longer pointed to."""
    w = _writer(path)
    old = w.trailer["/Info"].get_object()
    fresh = generic.DictionaryObject({k: v for k, v in old.items()})
    fresh[pdf_name(pades.INFO_CASE)] = generic.TextStringObject(OTHER_CASE)
    fresh[pdf_name(pades.INFO_NO_KK)] = generic.TextStringObject(OTHER_NO_KK)
    w._info = w.add_object(fresh)  # noqa: SLF001 - the trailer's /Info is written from it
    _save(w, out)


def xmp_changed(path: Path, out: Path) -> None:
    """The XMP metadata stream's title names another card."""
    w = _writer(path)
    ref = w.root.raw_get("/Metadata")
    stream = ref.get_object()
    xml = stream.data.replace(b"6305041211260001", OTHER_NO_KK.encode())
    assert xml != stream.data, "the XMP should carry the No. KK in its title"
    replaced = generic.StreamObject({pdf_name("/Type"): pdf_name("/Metadata"),
                                     pdf_name("/Subtype"): pdf_name("/XML")},
                                    stream_data=xml)
    w.objects[(ref.generation, ref.idnum)] = replaced
    _save(w, out)


def xmp_title_changed(path: Path, out: Path) -> None:
    """The title rewritten the way a PDF writer saves it: XMP and /Info both updated."""
    w = _writer(path)
    w.document_meta.title = f"Kartu Keluarga No. {OTHER_NO_KK}"
    w._force_write_when_empty = True  # noqa: SLF001 - no object changed but the metadata
    _save(w, out)
    assert out.read_bytes() != path.read_bytes()


def annotation_added(path: Path, out: Path) -> None:
    """A FreeText annotation over the card, showing another number."""
    w = _writer(path)
    page_ref = w.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    annot = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/FreeText"),
        pdf_name("/Rect"): generic.ArrayObject(map(generic.FloatObject, (50, 500, 550, 540))),
        pdf_name("/Contents"): generic.TextStringObject(f"No. {OTHER_NO_KK}"),
        pdf_name("/DA"): generic.TextStringObject("/Helv 16 Tf 0 g"),
        pdf_name("/P"): page_ref,
    })
    annots = page.get("/Annots")
    if annots is None:
        page[pdf_name("/Annots")] = generic.ArrayObject([w.add_object(annot)])
    else:
        annots.get_object().append(w.add_object(annot))
        if isinstance(page.raw_get("/Annots"), generic.IndirectObject):
            w.mark_update(page.raw_get("/Annots"))
    w.mark_update(page_ref)
    _save(w, out)


def field_changed(path: Path, out: Path) -> None:
    """The signature field's tooltip and name rewritten (a field the signature covers)."""
    w = _writer(path)
    for ref in w.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/FT") == "/Sig":
            field[pdf_name("/TU")] = generic.TextStringObject(f"KK {OTHER_NO_KK}")
            w.mark_update(ref)
    _save(w, out)


def text_field_added(path: Path, out: Path) -> None:
    """A new filled text field (form filling after the signature)."""
    w = _writer(path)
    page_ref = w.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    field = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/FT"): pdf_name("/Tx"), pdf_name("/T"): generic.TextStringObject("no_kk"),
        pdf_name("/V"): generic.TextStringObject(OTHER_NO_KK),
        pdf_name("/Rect"): generic.ArrayObject(map(generic.FloatObject, (50, 500, 550, 540))),
        pdf_name("/P"): page_ref,
    })
    ref = w.add_object(field)
    acroform = w.root["/AcroForm"]
    acroform["/Fields"].append(ref)
    annots = page.get("/Annots")
    if annots is None:
        page[pdf_name("/Annots")] = generic.ArrayObject([ref])
    else:
        annots.get_object().append(ref)
    w.mark_update(page_ref)
    raw = w.root.raw_get("/AcroForm")
    w.mark_update(raw if isinstance(raw, generic.IndirectObject) else w.root_ref)
    _save(w, out)


def page_added(path: Path, out: Path) -> None:
    """A second page (a copy of the first page's content) appended."""
    w = _writer(path)
    pages_ref = w.root.raw_get("/Pages")
    pages = pages_ref.get_object()
    first = pages["/Kids"][0].get_object()
    page = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Page"), pdf_name("/Parent"): pages_ref,
        pdf_name("/MediaBox"): first["/MediaBox"],
        pdf_name("/Contents"): w.add_object(generic.StreamObject(
            stream_data=b"BT /F1 16 Tf 60 520 Td (LAMPIRAN) Tj ET")),
    })
    pages["/Kids"].append(w.add_object(page))
    pages[pdf_name("/Count")] = generic.NumberObject(int(pages["/Count"]) + 1)
    w.mark_update(pages_ref)
    _save(w, out)


def signed_again(path: Path, out: Path, p12: Path, passphrase: bytes) -> None:
    """A second signature, by another certificate, in a new field."""
    signer = keys.load_signer(p12, passphrase)
    w = _writer(path)
    fields.append_signature_field(w, fields.SigFieldSpec("TTE_LAIN", on_page=0,
                                                         box=(20, 20, 120, 60)))
    meta = signers.PdfSignatureMetadata(field_name="TTE_LAIN",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    with open(out, "wb") as o:
        signers.sign_pdf(w, meta, signer=signer, output=o)


FORGERIES: dict[str, Callable[[Path, Path], None]] = {
    "info": info_changed,
    "new_info": new_info,
    "xmp": xmp_changed,
    "xmp_title": xmp_title_changed,
    "annotation": annotation_added,
    "field": field_changed,
    "text_field": text_field_added,
    "page": page_added,
}


def decompression_bomb_png(width: int, height: int) -> bytes:
    """Not a forgery but its cousin: a valid grey PNG of width x height, all white, a few
    hundred KB on disk and gigabytes once decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    packer = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * width
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + \
        chunk(b"IEND", b"")
