"""Step 8: the head of office's electronic signature (PAdES) on the final KK.

`sign_kk` fills the card's empty signature field with a visible block that kkwna draws
itself (name, NIP, "Ditandatangani secara elektronik", time): reportlab draws it with
the embedded Vera fonts into a one-page PDF the size of the field, and that page
becomes the widget's appearance (pyHanko's own stamp text mis-spaces these fonts).

Level: B-LT always (the certificate chain and the CA's revocation data are embedded, so
the card verifies with no network), B-LTA when a timestamper is given (a signature
timestamp, then the validation data, then a document timestamp over everything).

`add_validation_data` brings a file signed in another application up to the same level.

The card says which case it is in its Info dictionary: ``/KKWNA_Kasus`` (case id),
``/KKWNA_NoKK`` (No. KK) and ``/KKWNA_KepalaKeluarga`` (the holder), written by
`mark_identity` into the draft before it is signed (or by `sign_kk` into the signing
revision); `read_identity` and `read_holder` read them back.

pyHanko writes ``pyHanko <version>`` into the XMP producer but appends it to the Info
producer; PDF/A wants both equal, so every write below runs under `_producer` (which
makes pyHanko write one chosen value into both).
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pikepdf
from pyhanko.pdf_utils import content, generic, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata import model as pyhanko_meta
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import add_validation_info
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)
from reportlab.lib.colors import Color

from pipeline import __version__
from pipeline.office.fsutil import atomic_write_bytes
from pipeline.render import fonts
from pipeline.signing.keys import SigningError, Trust, fingerprint, load_signer
from pipeline.signing.revisions import INFO_CASE, INFO_HOLDER, INFO_NO_KK

FIELD = "TTE_KEPALA_DINAS"
WITA = ZoneInfo("Asia/Makassar")
PRODUCER = f"kkwna {__version__}; {pyhanko_meta.VENDOR}"
TSA_UNREACHABLE = "otoritas cap waktu (tte.tsa_url) tidak dapat dihubungi; coba lagi nanti"
_producer_lock = threading.Lock()


@dataclass(frozen=True)
class SignatureBlock:
    """What the visible signature block says."""

    nama: str
    nip: str  # as printed, e.g. "19820311 200501 2 017"
    jabatan: str = "Kepala Dinas Kependudukan dan Pencatatan Sipil"
    tz: ZoneInfo = WITA
    lokasi: str = ""  # the signature's /Location: the office's town and area ("" none)


@contextlib.contextmanager
def _producer(value: str) -> Iterator[None]:
    """Make pyHanko write *value* as the producer into both the Info dictionary and the XMP.

    pyHanko reads the module constant VENDOR for both at write time; it keeps an Info
    producer that already contains VENDOR and puts VENDOR alone into the XMP. Setting
    VENDOR to the Info value for the duration of a write makes the two agree.
    """
    with _producer_lock:
        saved = pyhanko_meta.VENDOR
        pyhanko_meta.VENDOR = value
        try:
            yield
        finally:
            pyhanko_meta.VENDOR = saved


def _fit(text: str, font: str, size: float, width: float) -> float:
    return fonts.fit_size(text, font, size, width, minimum=3.0)


def render_block(block: SignatureBlock, when: datetime, width: float, height: float) -> bytes:
    """The visible signature block as a one-page PDF of *width* x *height* points."""
    buf = io.BytesIO()
    c = fonts.new_canvas(buf, (width, height), "Tanda tangan elektronik")
    pad = max(2.0, min(width, height) * 0.05)
    inner = width - 2 * pad
    c.setStrokeColor(Color(0.1, 0.25, 0.55))
    c.setLineWidth(0.8)
    c.rect(0.5, 0.5, width - 1, height - 1, stroke=1, fill=0)
    local = when.astimezone(block.tz)
    zone = "WITA" if block.tz.key == "Asia/Makassar" else local.strftime("%Z")
    lines = [
        (fonts.ITALIC, "Ditandatangani secara elektronik oleh"),
        (fonts.BOLD, block.nama),
        (fonts.REGULAR, f"NIP {block.nip}"),
        (fonts.REGULAR, block.jabatan),
        (fonts.REGULAR, f"{local.strftime('%d-%m-%Y %H:%M:%S')} {zone}"),
    ]
    lines = [(f, t) for f, t in lines if t]
    step = (height - 2 * pad) / len(lines)
    base = min(9.0, step * 0.8)
    y = height - pad - step * 0.8
    c.setFillColor(Color(0, 0, 0))
    for font, text in lines:
        c.setFont(font, _fit(text, font, base, inner))
        c.drawString(pad, y, text)
        y -= step
    c.showPage()
    c.save()
    return buf.getvalue()


class _PdfPageBytes(content.PdfContent):
    """The first page of an in-memory PDF as a form XObject (pyHanko's ImportedPdfPage
    wants a file name)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        super().__init__()

    def render(self) -> bytes:
        w = self._ensure_writer
        xobj = w.import_page_as_xobject(PdfFileReader(io.BytesIO(self.data)), page_ix=0)
        self.resources.xobject["/KKWNABlock"] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return b"/KKWNABlock Do"


def _field_box(reader: PdfFileReader, field: str) -> tuple[float, float]:
    for name, value, ref in fields.enumerate_sig_fields(reader, filled_status=None):
        if name == field:
            if value is not None:
                raise SigningError(f"kolom tanda tangan {field} sudah terisi")
            x1, y1, x2, y2 = (float(v) for v in ref.get_object()["/Rect"])
            return abs(x2 - x1), abs(y2 - y1)
    raise SigningError(f"dokumen tidak memiliki kolom tanda tangan {field}")


def _translate(exc: Exception) -> SigningError:
    """pyHanko's reason for refusing the signer's certificate, as one Indonesian line."""
    if isinstance(exc, RevokedError):
        return SigningError("sertifikat penanda tangan telah dicabut")
    if isinstance(exc, ExpiredError | NotYetValidError):
        return SigningError("sertifikat penanda tangan tidak berlaku (kedaluwarsa atau "
                            "belum berlaku)")
    if isinstance(exc, InsufficientRevinfoError):
        return SigningError("data pencabutan (CRL) sertifikat penanda tangan tidak tersedia "
                            "atau sudah kedaluwarsa; perbarui tte.crls di kkwna.toml")
    if isinstance(exc, PathBuildingError):
        return SigningError("sertifikat penanda tangan tidak berantai ke akar terpercaya")
    return SigningError("sertifikat penanda tangan tidak dapat divalidasi")


def _set_identity(info: Any, case_id: str | None, no_kk: str | None,
                  holder: str | None) -> None:
    for key, value in ((INFO_CASE, case_id), (INFO_NO_KK, no_kk), (INFO_HOLDER, holder)):
        if value:
            info[generic.NameObject(key)] = generic.TextStringObject(value)


def sign_kk(src: Path, out: Path, *, p12: Path, passphrase: bytes, trust: Trust,
            timestamper: TimeStamper | None, block: SignatureBlock, field: str = FIELD,
            expected_signer_sha256: str | None = None, case_id: str | None = None,
            no_kk: str | None = None, holder: str | None = None,
            when: datetime | None = None, signer: signers.SimpleSigner | None = None) -> None:
    """Sign *src* into *out* (written atomically; *src* may equal *out*). *signer*: the
    key of *p12* already opened (a batch opens it once), else it is opened here.

    Raises SigningError (one Indonesian line) when the key cannot be loaded, the signer
    is not *expected_signer_sha256*, its certificate does not validate against *trust*
    now (untrusted, expired, revoked, no revocation data), or the field is missing or
    already signed.
    """
    if signer is None:
        signer = load_signer(p12, passphrase)
    if expected_signer_sha256 and fingerprint(signer.signing_cert) != \
            expected_signer_sha256.lower():
        raise SigningError("sertifikat ini bukan sertifikat Kepala Dinas yang terdaftar "
                           "di kkwna.toml")
    writer = _open_for_update(Path(src))
    width, height = _field_box(writer.prev, field)
    moment = when or datetime.now(block.tz)
    appearance = render_block(block, moment, width, height)
    if "/Info" in writer.trailer:
        info = writer.trailer["/Info"].get_object()
        info[generic.NameObject("/Producer")] = generic.TextStringObject(PRODUCER)
        _set_identity(info, case_id, no_kk, holder)
        writer.update_container(info)
    elif case_id or no_kk or holder:
        dictionary: Any = generic.DictionaryObject  # unannotated constructor in pyHanko
        info = dictionary({generic.NameObject("/Producer"): generic.TextStringObject(PRODUCER)})
        _set_identity(info, case_id, no_kk, holder)
        writer.set_info(info)
    style = StaticStampStyle(
        background=_PdfPageBytes(appearance), border_width=0, background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(0, 0, 0, 0)),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=True, use_pades_lta=timestamper is not None,
        validation_context=trust.context(fetch=True), name=block.nama,
        reason="Penerbitan Kartu Keluarga WNA", location=block.lokasi or None,
    )
    pdf_signer = signers.PdfSigner(meta, signer, timestamper=timestamper, stamp_style=style)
    output = io.BytesIO()
    try:
        with _producer(PRODUCER):
            pdf_signer.sign_pdf(writer, existing_fields_only=True, output=output)
    except (PathValidationError, PathBuildingError) as exc:
        raise _translate(exc) from None
    except PyHankoSigningError as exc:
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, PathValidationError | PathBuildingError):
            raise _translate(cause) from None
        raise SigningError(f"penandatanganan gagal: {_safe(exc)}") from None
    except TimestampRequestError:
        raise SigningError(TSA_UNREACHABLE) from None
    atomic_write_bytes(Path(out), output.getvalue())


def _open_for_update(path: Path) -> IncrementalPdfFileWriter:
    try:
        return IncrementalPdfFileWriter(io.BytesIO(path.read_bytes()), strict=False)
    except OSError as exc:
        raise SigningError(f"{path.name} tidak dapat dibaca ({exc.strerror})") from None
    except (PdfReadError, ValueError):
        raise SigningError(f"{path.name} bukan PDF yang dapat dibaca") from None


def _safe(exc: Exception) -> str:
    """An exception's first line; pyHanko's messages never carry the passphrase."""
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def add_validation_data(path: Path, out: Path, *, trust: Trust,
                        timestamper: TimeStamper | None) -> None:
    """Embed the chain and revocation data of the file's last signature (B-LT), then a
    document timestamp when *timestamper* is given (B-LTA); written atomically to *out*.
    """
    reader = _open_for_update(Path(path)).prev
    sigs = reader.embedded_regular_signatures
    if not sigs:
        raise SigningError("dokumen belum ditandatangani")
    info = reader.trailer["/Info"].get_object() if "/Info" in reader.trailer else None
    producer = str(info.get("/Producer", PRODUCER)) if info is not None else PRODUCER
    try:
        with _producer(producer):
            buf = add_validation_info(sigs[-1], trust.context(fetch=True), in_place=False,
                                      output=io.BytesIO())
            result = buf.getvalue()
            if timestamper is not None:
                ts_out = io.BytesIO()
                signers.PdfTimeStamper(timestamper).timestamp_pdf(
                    IncrementalPdfFileWriter(io.BytesIO(result), strict=False), "sha256",
                    trust.context(fetch=True), output=ts_out)
                result = ts_out.getvalue()
    except (PathValidationError, PathBuildingError) as exc:
        raise _translate(exc) from None
    except PyHankoSigningError as exc:
        raise SigningError(f"data validasi tidak dapat ditambahkan: {_safe(exc)}") from None
    except TimestampRequestError:
        raise SigningError(TSA_UNREACHABLE) from None
    atomic_write_bytes(Path(out), result)


def mark_identity(src: Path, out: Path, *, case_id: str, no_kk: str, holder: str) -> None:
    """Write the case id, No. KK and holder into the Info dictionary of an unsigned draft
    (a full rewrite with pikepdf: call it before the signature field is filled)."""
    with pikepdf.open(src, allow_overwriting_input=True) as pdf:
        pdf.docinfo[INFO_CASE] = case_id
        pdf.docinfo[INFO_NO_KK] = no_kk
        pdf.docinfo[INFO_HOLDER] = holder
        buf = io.BytesIO()
        pdf.save(buf)
    atomic_write_bytes(Path(out), buf.getvalue())


def _info(path: Path) -> Any:
    reader = PdfFileReader(io.BytesIO(Path(path).read_bytes()), strict=False)
    return reader.trailer["/Info"].get_object() if "/Info" in reader.trailer else {}


def read_identity(path: Path) -> tuple[str, str]:
    """(case id, No. KK) from the Info dictionary; "" where missing."""
    info = _info(path)
    return str(info.get(INFO_CASE, "")), str(info.get(INFO_NO_KK, ""))


def read_holder(path: Path) -> str:
    """The head of the family's name from the Info dictionary; "" when missing."""
    return str(_info(path).get(INFO_HOLDER, ""))
