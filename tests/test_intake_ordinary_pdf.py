"""An application form saved by a word processor (unembedded standard fonts) is taken in,
not quarantined: the original kept byte for byte, its text pages pictured in the bundle."""

from __future__ import annotations

import pikepdf
import scanfactory as make

from pipeline.office.home import Home
from pipeline.render import pdfa
from tests.office import jpeg, one, run_once, visible


def test_a_word_processor_form_opens_a_case(office: Home) -> None:
    staging = office.root / "scanner" / "JOHN SMITH"
    staging.mkdir(parents=True)
    jpeg(staging / "1 kitap.jpg", text="JOHN SMITH")
    form = make.word_processor_pdf(staging / "2 formulir.pdf")
    original = form.read_bytes()
    staging.rename(office.inbox / "JOHN SMITH")

    run_once(office)

    assert not visible(office.quarantine, "*"), "nothing quarantined"
    assert one(office.desks / "02-front-office", "*.pdf")
    case = one(office.cases, "KKWNA-2026-0001 *")
    kept = list((case / "scans").rglob("*.pdf"))
    assert [p.read_bytes() for p in kept] == [original], "the original, byte for byte"
    bundle = case / "01 berkas permohonan.pdf"
    assert pdfa.validate(bundle).passed
    with pikepdf.open(bundle) as pdf:
        assert len(pdf.pages) == 4
        assert all("/Font" not in pdf.pages[i].Resources for i in (1, 3))
    # the case history says which pages went in as pictures
    from pipeline.store.register import Register
    reg = Register(office.register_path)
    taken = reg.events("KKWNA-2026-0001")[0]
    assert taken["action"] == "diterima" and "300 dpi" in taken["detail"]
    reg.close()
