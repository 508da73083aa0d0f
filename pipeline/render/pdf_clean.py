"""Copied PDF pages cleaned of anything active before they are filed.

Untrusted PDFs (from `inbox/`) go into a case bundle only through `sanitise`: no
JavaScript, no actions but going to a page, no attachments, no forms; and
`drop_idle_fonts` removes the unembedded fonts some writers name on pages that show no
text at all, which the archive format would otherwise refuse for nothing.
"""

from __future__ import annotations

import pikepdf

_PAGE_DROP = ("/AA", "/Trans", "/Dur", "/PresSteps", "/Thumb", "/PieceInfo", "/Metadata")
_GOTO = pikepdf.Name.GoTo
_ANNOT_DROP = {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D", "/Widget"}
_KEY_DROP = ("/AA", "/OpenAction", "/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/AF", "/XFA",
             "/AcroForm")


def sanitise(pdf: pikepdf.Pdf) -> None:
    """Leave nothing active: no actions but going to a page, no attachments, no forms.

    Resources the pages never use go too (PDF writers often list an unembedded font
    that draws nothing, which would fail the archive format for no reason).
    """
    pdf.remove_unreferenced_resources()
    drop_idle_fonts(pdf)
    for page in pdf.pages:
        obj = page.obj
        for key in _PAGE_DROP:
            if key in obj:
                del obj[key]
        annots = obj.get("/Annots")
        if annots is not None:
            kept = [
                a
                for a in (annots if isinstance(annots, pikepdf.Array) else [])
                if isinstance(a, pikepdf.Dictionary) and str(a.get("/Subtype")) not in _ANNOT_DROP
            ]
            if kept:
                obj.Annots = pikepdf.Array(kept)
            else:
                del obj["/Annots"]
    _scrub(pdf.Root)


def _scrub(root: pikepdf.Object) -> None:
    """Drop active and attached things from everything reachable from *root*."""
    containers = pikepdf.Array | pikepdf.Dictionary | pikepdf.Stream
    seen: set[tuple[int, int]] = set()
    todo: list[pikepdf.Object] = [root]
    while todo:
        node = todo.pop()
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        if isinstance(node, pikepdf.Array):
            todo.extend(item for item in node if isinstance(item, containers))
            continue
        if not isinstance(node, pikepdf.Dictionary | pikepdf.Stream):
            continue
        for key in _KEY_DROP:
            if key in node:
                del node[key]
        action = node.get("/A")
        if isinstance(action, pikepdf.Dictionary) and action.get("/S", _GOTO) != _GOTO:
            del node["/A"]  # an action other than going to a page
        if node.get("/S") == _GOTO and "/Next" in node:
            del node["/Next"]
        for key in node.keys():  # noqa: SIM118 (pikepdf objects iterate differently)
            value = node.get(key)
            if isinstance(value, containers):
                todo.append(value)


_TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
_TEXT_ONLY = {"BT", "ET", "Tf", "Tc", "Tw", "Tz", "TL", "Ts", "Tr", "Td", "TD", "Tm", "T*"}


def _shows_text(holder: pikepdf.Object | pikepdf.Page, depth: int = 0) -> bool:
    """Whether this page or form, or a form it draws, shows any text."""
    if depth > 8:
        return True  # too deep to tell: assume it does
    ops = {str(instruction.operator) for instruction in pikepdf.parse_content_stream(holder)}
    if ops & _TEXT_SHOWING:
        return True
    resources = holder.get("/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    if not isinstance(xobjects, pikepdf.Dictionary):
        return False
    forms = [x for x in xobjects.values() if x.get("/Subtype") == pikepdf.Name.Form]
    return any(_shows_text(form, depth + 1) for form in forms)


def drop_idle_fonts(pdf: pikepdf.Pdf) -> None:
    """On pages that show no text, remove the font set-up and the fonts.

    Some PDF writers (reportlab among them) choose an unembedded font on every page
    even when they only draw an image; the archive format would refuse the font. The
    text-only operators have no visible effect without text, so nothing seen changes.
    """
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        if not isinstance(resources, pikepdf.Dictionary) or "/Font" not in resources:
            continue
        if _shows_text(page):
            continue
        kept = [i for i in pikepdf.parse_content_stream(page) if str(i.operator) not in _TEXT_ONLY]
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
        page.obj.Resources = pikepdf.Dictionary(
            {key: resources[key] for key in resources.keys() if key != "/Font"}  # noqa: SIM118
        )
