"""A desk form is read only when it is a regular file of bounded size, and never hangs."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from pipeline.desks.forms import FormUnreadable, read_fields, read_form


def make_form(path: Path, case: str = "KKWNA-2026-0001") -> Path:
    c = canvas.Canvas(str(path))
    c.acroForm.textfield(name="kasus", value=case, x=50, y=700, width=200, height=20)
    c.acroForm.textfield(name="langkah", value="2", x=50, y=650, width=50, height=20)
    c.showPage()
    c.save()
    return path


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    desk = tmp_path / "desks" / "02-front-office"
    desk.mkdir(parents=True)
    return desk


def test_a_regular_form_reads_with_the_digest_of_the_bytes_read(desk):
    form = make_form(desk / "form.pdf")
    fields, digest = read_form(form)
    assert fields["kasus"] == "KKWNA-2026-0001" and fields["langkah"] == "2"
    assert digest == hashlib.sha256(form.read_bytes()).hexdigest()
    assert read_fields(form) == fields


@pytest.mark.timeout(5)
def test_a_fifo_on_a_desk_is_refused_at_once(desk):
    os.mkfifo(desk / "KKWNA-2026-0001 - lembar checklist.pdf")
    with pytest.raises(FormUnreadable, match="bukan berkas biasa"):
        read_fields(desk / "KKWNA-2026-0001 - lembar checklist.pdf")


@pytest.mark.timeout(5)
def test_a_link_to_a_device_is_refused_at_once(desk):
    (desk / "zero.pdf").symlink_to("/dev/zero")
    with pytest.raises(FormUnreadable, match="tautan"):
        read_form(desk / "zero.pdf")


@pytest.mark.timeout(5)
def test_a_link_to_a_real_form_outside_the_home_is_not_a_decision(desk, tmp_path):
    outside = make_form(tmp_path / "elsewhere.pdf", case="KKWNA-2026-0009")
    assert read_fields(outside)["kasus"] == "KKWNA-2026-0009"  # a genuine form ...
    (desk / "decision.pdf").symlink_to(outside)
    with pytest.raises(FormUnreadable, match="tautan"):  # ... yet never read through a link
        read_fields(desk / "decision.pdf")


def test_an_oversized_file_is_not_read_into_memory(desk):
    form = make_form(desk / "form.pdf")
    size = form.stat().st_size
    with pytest.raises(FormUnreadable, match="terlalu besar"):
        read_fields(form, max_bytes=size - 1)
    assert read_fields(form, max_bytes=size)["langkah"] == "2"
