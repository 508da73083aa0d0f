"""The data-entry form's coded values as choice lists: drawn, filled as a reader does, read back."""

from __future__ import annotations

import io
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pypdfium2 as pdfium
import pytest
from pypdf.generic import ArrayObject, NameObject, NumberObject, TextStringObject

from pipeline.desks.forms import read_fields
from pipeline.domain import family, refdata
from pipeline.domain.case import Case
from pipeline.domain.engine import Context, Decision, judge
from pipeline.office import config
from pipeline.render.layout import BUILTIN_LAYOUTS, LayoutError, load_layout
from pipeline.render.render import render
from tests import office
from tests.conftest import ADM_SIAK
from tests.families import ADDRESS, HEAD, TAPIN

CASE = "KKWNA-2026-0001"
CODED = dict(family.LISTED)  # member key -> value list
OFFICE = config.parse(tomllib.loads(config.DEFAULT)).office_data()


def input_form(path: Path, fields: dict[str, str] | None = None) -> Path:
    data: dict[str, Any] = {"kasus": CASE, "judul": "JOHN MICHAEL SMITH", "office": OFFICE,
                            "fields": family.to_form_fields({**ADDRESS, "anggota": [HEAD]},
                                                            area=TAPIN)
                            if fields is None else fields}
    return render("input_data", data, path, mode="form", case_id=CASE, step=4,
                  layout_dirs=[BUILTIN_LAYOUTS])


def widgets(path: Path) -> dict[str, pikepdf.Dictionary]:
    with pikepdf.open(path) as pdf:
        found = {}
        for page_no, page in enumerate(pdf.pages):
            for annot in page.obj.get("/Annots", []):
                if "/T" in annot:
                    found[str(annot.T)] = {
                        "FT": str(annot.get("/FT")), "Ff": int(annot.get("/Ff", 0)),
                        "Opt": [str(o) for o in annot.get("/Opt", [])],
                        "V": str(annot.get("/V", "")), "Rect": [float(v) for v in annot.Rect],
                        "page": page_no,
                    }
        return found


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return input_form(tmp_path_factory.mktemp("choice") / "input.pdf")


def test_every_members_coded_values_are_choice_lists_of_the_official_values(form: Path) -> None:
    found = widgets(form)
    combo, edit = 1 << 17, 1 << 18
    for slot in range(1, family.MAX_MEMBERS + 1):
        for key, list_name in CODED.items():
            w = found[f"a{slot}_{key}"]
            assert w["FT"] == "/Ch"
            assert w["Ff"] & combo and not w["Ff"] & edit  # a drop-down, no typing
            assert w["Opt"] == ["", *refdata.value_list(list_name)]  # blank first
        assert found[f"a{slot}_nama_lengkap"]["FT"] == "/Tx"
    # pre-filled from the family data; the unused member rows stay blank
    assert found["a1_pendidikan"]["V"] == "DIPLOMA IV/STRATA I"
    assert found["a1_jenis_kelamin"]["V"] == "LAKI-LAKI"
    assert found["a2_agama"]["V"] == ""
    got = read_fields(form)
    assert got["a1_golongan_darah"] == "O" and got["a2_golongan_darah"] == ""


def test_choices_filled_by_a_reader_read_back(form: Path, tmp_path: Path) -> None:
    chosen = {"a2_jenis_kelamin": "PEREMPUAN", "a2_agama": "KATHOLIK",
              "a2_pendidikan": "STRATA II", "a2_jenis_pekerjaan": "PEGAWAI NEGERI SIPIL (PNS)",
              "a2_golongan_darah": "AB-", "a2_status_perkawinan": "KAWIN TERCATAT",
              "a2_status_hubungan": "ISTRI", "a1_agama": ""}
    saved = office.fill(form, dict(chosen), tmp_path / "saved.pdf")
    got = read_fields(saved)
    assert {k: got[k] for k in chosen} == chosen
    assert got["a1_pendidikan"] == "DIPLOMA IV/STRATA I"  # untouched
    # an incremental save (what Adobe Reader and Foxit write) reads the newest value
    writer = pypdf.PdfWriter(saved, incremental=True)
    writer.update_page_form_field_values(None, {"a2_agama": "BUDHA"}, auto_regenerate=False)
    buf = io.BytesIO()
    writer.write(buf)
    (tmp_path / "again.pdf").write_bytes(buf.getvalue())
    assert read_fields(tmp_path / "again.pdf")["a2_agama"] == "BUDHA"


def _set_choice(path: Path, name: str, **entries: Any) -> None:
    reader = pypdf.PdfReader(path)
    writer = pypdf.PdfWriter(clone_from=reader)
    for page in writer.pages:
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            if annot.get("/T") == name:
                for key, value in entries.items():
                    if value is None:
                        annot.pop(NameObject(f"/{key}"), None)
                    else:
                        annot[NameObject(f"/{key}")] = value
    with open(path, "wb") as fh:
        writer.write(fh)


def test_a_choice_stored_with_its_index_reads_its_value(form: Path, tmp_path: Path) -> None:
    """Readers store the chosen text in /V and may add its index in /I: /V is what counts."""
    saved = tmp_path / "indexed.pdf"
    saved.write_bytes(form.read_bytes())
    index = ["", *refdata.value_list("agama")].index("HINDU")
    _set_choice(saved, "a2_agama", V=TextStringObject("HINDU"),
                I=ArrayObject([NumberObject(index)]))
    assert read_fields(saved)["a2_agama"] == "HINDU"


def test_a_choice_stored_only_as_an_index(form: Path, tmp_path: Path) -> None:
    saved = tmp_path / "index-only.pdf"
    saved.write_bytes(form.read_bytes())
    index = ["", *refdata.value_list("agama")].index("HINDU")
    _set_choice(saved, "a2_agama", V=None, I=ArrayObject([NumberObject(index)]))
    assert read_fields(saved)["a2_agama"] == "HINDU"


def test_a_value_outside_the_list_is_kept_and_then_refused(tmp_path: Path) -> None:
    fields = family.to_form_fields({**ADDRESS, "anggota": [{**HEAD, "agama": "JEDI"}]},
                                   area=TAPIN)
    form = input_form(tmp_path / "odd.pdf", fields)
    w = widgets(form)["a1_agama"]
    assert w["V"] == "JEDI" and w["Opt"][-1] == "JEDI"  # shown as recorded, not lost
    errors = family.validate_form_fields(read_fields(form), today=date(2026, 12, 1),
                                         area=TAPIN)
    assert [e.field for e in errors] == ["a1_agama"]


def test_the_form_shows_the_chosen_values_and_nothing_overlaps(form: Path,
                                                                tmp_path: Path) -> None:
    saved = office.fill(form, {"a2_agama": "KATHOLIK", "a2_golongan_darah": "AB-"},
                        tmp_path / "saved.pdf")
    found = widgets(saved)
    by_page: dict[int, list[tuple[str, list[float]]]] = {}
    for name, w in found.items():
        by_page.setdefault(w["page"], []).append((name, w["Rect"]))
    for rects in by_page.values():
        for i, (a, ra) in enumerate(rects):
            for b, rb in rects[i + 1:]:
                apart = ra[2] <= rb[0] or rb[2] <= ra[0] or ra[3] <= rb[1] or rb[3] <= ra[1]
                assert apart, (a, b)
    doc = pdfium.PdfDocument(saved)
    doc.init_forms()
    try:
        def ink(name: str) -> int:
            """Dark pixels inside a widget, as a viewer draws the form (scale 2)."""
            w = found[name]
            page = doc[w["page"]]
            height = page.get_height()
            image = page.render(scale=2, may_draw_forms=True).to_pil().convert("L")
            x0, y0, x1, y1 = w["Rect"]
            box = image.crop((int(x0 * 2) + 3, int((height - y1) * 2) + 3,
                              int(x1 * 2) - 3, int((height - y0) * 2) - 3))
            return sum(box.histogram()[:100])

        assert ink("a1_pendidikan") > 50  # pre-filled value
        assert ink("a2_agama") > 50 and ink("a2_golongan_darah") > 20  # chosen in the reader
        assert ink("a3_agama") == 0  # an unused member stays blank
    finally:
        doc.close()


@pytest.mark.parametrize(("item", "message"), [
    ('{ key = "agama", label = "Agama", kind = "choice" }', "needs key 'options'"),
    ('{ key = "agama", label = "Agama", kind = "choice", options = "suku" }', "name a value list"),
    ('{ key = "agama", label = "Agama", kind = "choice", options = [] }', "list the choices"),
    ('{ key = "agama", label = "Agama", options = "agama" }', "only for kind"),
])
def test_choice_layout_errors(tmp_path: Path, item: str, message: str) -> None:
    (tmp_path / "pilihan.toml").write_text(
        f'[[blocks]]\ntype = "members"\ncount = 1\nkeys = [{item}]\n', encoding="utf-8")
    with pytest.raises(LayoutError, match=message):
        load_layout("pilihan", [tmp_path])


def test_choice_with_values_given_in_the_layout(tmp_path: Path) -> None:
    (tmp_path / "pilihan.toml").write_text(
        'kop = false\n[[blocks]]\ntype = "inputs"\nitems = [{ field = "ukuran", label = "Ukuran", '
        'kind = "choice", options = ["KECIL", "BESAR"] }]\n', encoding="utf-8")
    out = render("pilihan", {"fields": {"ukuran": "BESAR"}}, tmp_path / "p.pdf", mode="form",
                 case_id=CASE, step=4, layout_dirs=[tmp_path])
    assert widgets(out)["ukuran"]["Opt"] == ["", "KECIL", "BESAR"]
    assert read_fields(out)["ukuran"] == "BESAR"


def test_data_entry_decision_accepts_short_forms(cfg: Any) -> None:
    """`kkwna decide --field a1_pendidikan=S1` and `kkwna enter` with "Katolik" work."""
    at = datetime(2026, 11, 23, 9)
    t = Case(id=CASE, year=2026, seq=1, title="JOHN SMITH", status="open", step=4,
             rounds={4: 1}, received_at=at, clock_start=at, outside_hours=False,
             step_since=at, folder="cases/x",
             source_name="x", source_key="k", source_removed=True, collection_code=None,
             data={})
    fields = family.to_form_fields({**ADDRESS, "anggota": [HEAD]}, area=TAPIN)
    fields.update(a1_pendidikan="S1", a1_agama="Katolik", a1_jenis_kelamin="L",
                  a1_golongan_darah="o rh+", a1_status_perkawinan="Kawin")
    d = Decision(CASE, 4, True, "", "", ADM_SIAK, fields)
    result = judge(t, d, Context(cfg, date(2026, 11, 23)))
    member = result.record["keluarga"]["anggota"][0]
    assert (member["pendidikan"], member["agama"], member["jenis_kelamin"],
            member["golongan_darah"], member["status_perkawinan"]) == (
        "DIPLOMA IV/STRATA I", "KATHOLIK", "LAKI-LAKI", "O+", "KAWIN TERCATAT")
