"""Make scan-like test inputs on the fly (no binary fixtures in the repository).

Every function writes one file at the path it is given and returns that path. Images
carry a dark block in their top-left corner so a test can tell which way up a page is.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

# ---------------------------------------------------------------- images


def picture(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A light gradient page with a black block at the top left (to tell which way is up)."""
    w, h = size
    im = Image.linear_gradient("L").resize((w, h)).point(lambda v: 150 + v // 3).convert("RGB")
    ImageDraw.Draw(im).rectangle((0, 0, max(1, w // 3), max(1, h // 5)), fill="black")
    if mode == "RGBA":
        im = im.convert("RGBA")
        im.putalpha(200)
        return im
    return im.convert(mode)


def jpeg(
    path: Path,
    size: tuple[int, int] = (400, 300),
    *,
    mode: str = "RGB",
    dpi: tuple[float, float] | None = (200, 200),
    orientation: int | None = None,
    progressive: bool = False,
    trailing: bytes = b"",
) -> Path:
    extra: dict[str, object] = {"quality": 85, "progressive": progressive}
    if dpi is not None:
        extra["dpi"] = dpi
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        extra["exif"] = exif
    buf = io.BytesIO()
    picture(size, mode).save(buf, "JPEG", **extra)
    path.write_bytes(buf.getvalue() + trailing)
    return path


def png(
    path: Path,
    size: tuple[int, int] = (400, 300),
    *,
    mode: str = "RGB",
    dpi: tuple[float, float] | None = (200, 200),
    orientation: int | None = None,
    image: Image.Image | None = None,
) -> Path:
    extra: dict[str, object] = {}
    if dpi is not None:
        extra["dpi"] = dpi
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        extra["exif"] = exif
    (image if image is not None else picture(size, mode)).save(path, "PNG", **extra)
    return path


def png16(path: Path, size: tuple[int, int] = (300, 200), value: int = 40000) -> Path:
    """16-bit grayscale, every pixel *value* (0-65535)."""
    Image.new("I;16", size, value).save(path, "PNG", dpi=(200, 200))
    return path


def tiff(
    path: Path,
    frames: list[Image.Image],
    *,
    dpi: tuple[float, float] = (200, 200),
    orientation: int | None = None,
    big: bool = False,
) -> Path:
    extra: dict[str, object] = {"dpi": dpi, "big_tiff": big}
    if orientation is not None:
        extra["tiffinfo"] = {0x0112: orientation}
    frames[0].save(path, "TIFF", save_all=True, append_images=frames[1:], **extra)
    return path


def png_bomb(path: Path, width: int = 20000, height: int = 20000) -> Path:
    """A tiny PNG whose header claims width x height pixels (CRC kept valid)."""
    buf = io.BytesIO()
    Image.new("1", (8, 8)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    ihdr = 8  # the IHDR chunk: length(4) type(4) body(13) crc(4)
    body = struct.pack(">II", width, height) + bytes(data[ihdr + 16 : ihdr + 21])
    data[ihdr + 8 : ihdr + 21] = body
    data[ihdr + 21 : ihdr + 25] = struct.pack(">I", zlib.crc32(b"IHDR" + body))
    path.write_bytes(bytes(data))
    return path


def truncated(src: Path, dest: Path, fraction: float = 0.5) -> Path:
    data = src.read_bytes()
    dest.write_bytes(data[: int(len(data) * fraction)])
    return dest


def flipped_byte(src: Path, dest: Path, at: float = 0.5) -> Path:
    data = bytearray(src.read_bytes())
    data[int(len(data) * at)] ^= 0xFF
    dest.write_bytes(bytes(data))
    return dest


# ---------------------------------------------------------------- PDFs


def _jpeg_bytes(size: tuple[int, int], quality: int = 85) -> bytes:
    buf = io.BytesIO()
    picture(size).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def scanner_pdf(
    path: Path,
    pages: int = 2,
    size: tuple[int, int] = (850, 1100),
    dpi: float = 100,
    *,
    jpeg_data: bytes | None = None,
) -> Path:
    """Image-only pages, one JPEG each, as a scanner writes them (built with pikepdf)."""
    pdf = pikepdf.new()
    data = jpeg_data or _jpeg_bytes(size)
    w, h = size[0] * 72 / dpi, size[1] * 72 / dpi
    for _ in range(pages):
        image = pikepdf.Stream(pdf, data)
        image.stream_dict = pikepdf.Dictionary(
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=size[0],
            Height=size[1],
            ColorSpace=pikepdf.Name.DeviceRGB,
            BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
        )
        content = pdf.make_stream(f"q {w:.2f} 0 0 {h:.2f} 0 0 cm /Im0 Do Q".encode())
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, w, h],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
            Contents=content,
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def reportlab_scan_pdf(path: Path, pages: int = 2, size: tuple[int, int] = (425, 550)) -> Path:
    """Image-only pages drawn with reportlab's drawImage (which also sets an unused font)."""
    c = canvas.Canvas(str(path), pagesize=(612, 792))
    for _ in range(pages):
        c.drawImage(ImageReader(io.BytesIO(_jpeg_bytes(size))), 0, 0, 612, 792)
        c.showPage()
    c.save()
    return path


def text_pdf(path: Path) -> Path:
    """A typed page in unembedded Helvetica: fine to read, archival only as a picture."""
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("Helvetica", 14)
    c.drawString(72, 760, "Surat pernyataan / Statement letter")
    c.showPage()
    c.save()
    return path


def word_processor_pdf(path: Path) -> Path:
    """An application form as a word processor saves it: standard fonts, not embedded.

    Page 1 in Helvetica, page 2 only a picture (as a scanned attachment would be), page 3
    in Times; pages 1 and 3 cannot be archival as they are, page 2 can.
    """
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("Helvetica-Bold", 16)
    c.drawString(72, 760, "FORMULIR PERMOHONAN KARTU KELUARGA")
    c.setFont("Helvetica", 12)
    for i, line in enumerate(("Nama lengkap: JOHN MICHAEL SMITH", "No. Paspor: PA1234567",
                              "Alamat: JL. JENDERAL SUDIRMAN NO. 12, RANTAU")):
        c.drawString(72, 720 - 22 * i, line)
    c.rect(72, 560, 451, 60)
    c.showPage()
    c.drawImage(ImageReader(io.BytesIO(_jpeg_bytes((425, 550)))), 0, 0, 595, 842)
    c.showPage()
    c.setFont("Times-Roman", 13)
    c.drawString(72, 760, "Surat pernyataan: data yang saya isi adalah benar.")
    c.setFont("Times-Bold", 13)
    c.drawString(360, 600, "Rantau, 12 November 2026")
    c.showPage()
    c.save()
    return path


def searchable_scan_pdf(path: Path, size: tuple[int, int] = (850, 1100), dpi: float = 100) -> Path:
    """A scanner's searchable PDF: the scanned picture with an invisible OCR text layer
    in an unembedded font (as many scanners and OCR programs write it)."""
    pdf = pikepdf.new()
    w, h = size[0] * 72 / dpi, size[1] * 72 / dpi
    image = pikepdf.Stream(pdf, _jpeg_bytes(size))
    image.stream_dict = pikepdf.Dictionary(
        Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=size[0], Height=size[1],
        ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode,
    )
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
    ))
    content = (
        f"q {w:.2f} 0 0 {h:.2f} 0 0 cm /Im0 Do Q "
        "BT 3 Tr /F1 12 Tf 72 700 Td (PASPOR REPUBLIC OF AUSTRALIA) Tj ET"
    ).encode()
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, w, h],
        Resources=pikepdf.Dictionary(
            XObject=pikepdf.Dictionary(Im0=image), Font=pikepdf.Dictionary(F1=font)
        ),
        Contents=pdf.make_stream(content),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def oversized_page_pdf(path: Path) -> Path:
    """A page wider than PDF/A allows (14400 pt): not archival even as a picture."""
    pdf = pikepdf.new()
    content = pdf.make_stream(b"0 0 0 rg 10 2 200 6 re f")
    pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 15000, 10], Contents=content,
    )))
    pdf.save(path)
    return path


def hostile_pdf(path: Path) -> Path:
    """A drawing that also carries every active thing intake must strip.

    Document JavaScript and an /OpenAction running it, catalog and page /AA, a Link
    whose action launches a program (chained to JavaScript), a file attachment
    annotation, an embedded file in the name tree, an AcroForm with a text field whose
    widget runs JavaScript, and an outline item running JavaScript.
    """
    pdf = pikepdf.new()
    js = pdf.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hi');"))
    )
    launch = pikepdf.Dictionary(
        S=pikepdf.Name.Launch,
        F=pikepdf.String("C:\\Windows\\System32\\calc.exe"),
        Next=js,
    )
    payload = pikepdf.Stream(pdf, b"MZ pretend this is a program")
    payload.Type = pikepdf.Name.EmbeddedFile
    filespec = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec,
            F=pikepdf.String("invoice.exe"),
            UF=pikepdf.String("invoice.exe"),
            EF=pikepdf.Dictionary(F=payload),
        )
    )
    content = pdf.make_stream(
        b"q 0 0 1 rg 72 600 200 100 re f Q q 1 0 0 RG 4 w 72 72 m 500 400 l S Q"
    )
    page = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(),
            Contents=content,
            AA=pikepdf.Dictionary(O=js),
        )
    )
    link = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=[72, 600, 272, 700],
            Border=[0, 0, 0],
            F=4,
            A=launch,
        )
    )
    attachment = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.FileAttachment,
            Rect=[300, 300, 320, 320],
            FS=filespec,
            F=4,
        )
    )
    widget = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            FT=pikepdf.Name.Tx,
            T=pikepdf.String("nama"),
            V=pikepdf.String("isi"),
            Rect=[72, 500, 272, 520],
            F=4,
            P=page,
            AA=pikepdf.Dictionary(K=js),
        )
    )
    page.Annots = pikepdf.Array([link, attachment, widget])
    pdf.pages.append(pikepdf.Page(page))
    outline_item = pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String("Buka"), A=js))
    outlines = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Outlines, First=outline_item, Last=outline_item, Count=1
        )
    )
    outline_item.Parent = outlines
    pdf.Root.OpenAction = js
    pdf.Root.AA = pikepdf.Dictionary(WC=js)
    pdf.Root.Outlines = outlines
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[widget], NeedAppearances=True)
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("start"), js]),
        EmbeddedFiles=pikepdf.Dictionary(Names=[pikepdf.String("invoice.exe"), filespec]),
    )
    pdf.save(path)
    return path


def encrypted_pdf(path: Path, *, user: str, owner: str = "pemilik") -> Path:
    """A scanner-like PDF encrypted; with user="" it opens without a password."""
    plain = path.with_name(path.name + ".plain.pdf")
    scanner_pdf(plain, pages=1, size=(200, 260))
    with pikepdf.open(plain) as pdf:
        pdf.save(
            path,
            encryption=pikepdf.Encryption(
                user=user, owner=owner, allow=pikepdf.Permissions(extract=False, modify_other=False)
            ),
        )
    plain.unlink()
    return path


def content_bomb_pdf(path: Path, decoded_bytes: int) -> Path:
    """One page whose drawing instructions inflate from a few KB to *decoded_bytes*."""
    pdf = pikepdf.new()
    packer = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    parts = [packer.compress(chunk) for _ in range(decoded_bytes // len(chunk))]
    parts.append(packer.flush())
    content = pikepdf.Stream(pdf, b"".join(parts))
    content.Filter = pikepdf.Name.FlateDecode
    pdf.pages.append(
        pikepdf.Page(
            pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842], Contents=content)
        )
    )
    pdf.save(path, compress_streams=False)
    return path


def garbage(path: Path, head: bytes = b"", size: int = 4096) -> Path:
    path.write_bytes(head + os.urandom(size))
    return path


def docx(path: Path) -> Path:
    """A word-processor file (a ZIP), whatever its name says."""
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document>Surat</document>")
    return path
