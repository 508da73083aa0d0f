"""SOP steps 10-11: the KK handed over against the collection code, to the applicant in
person; every refusal says why and changes nothing."""

from __future__ import annotations

import pytest

from pipeline.engine import judge
from pipeline.model import Context, Decision, Refused
from pipeline.steps.handover import normal_code
from tests.test_engine import TODAY, case_at

PENYERAHAN = "199506062019031006"


def collecting(**data):
    case = case_at(11)
    case.collection_code = "ABCD-EFGH"
    case.data = {"nama_pemohon": "JOHN SMITH",
                 "keluarga": {"no_kk": "6305041211260001", "anggota": [
                     {"nama_lengkap": "JOHN MICHAEL SMITH",
                      "status_hubungan": "KEPALA KELUARGA"}]}, **data}
    return case


def hand_over(cfg, code, receiver, nip=PENYERAHAN):
    case = collecting()
    d = Decision(case.id, 11, True, "", "", nip,
                 {"kode_pengambilan": code, "penerima_nama": receiver})
    return judge(case, d, Context(cfg, TODAY, case=case))


def test_the_applicant_collects_with_the_code(cfg):
    t = hand_over(cfg, "abcd efgh", "john michael smith")
    assert (t.status, t.next_step) == ("issued", None)
    assert t.record == {"penerima_nama": "JOHN MICHAEL SMITH", "kode_pengambilan": "ABCD-EFGH"}


@pytest.mark.parametrize("code, receiver, nip, why", [
    ("WXYZ-2345", "JOHN MICHAEL SMITH", PENYERAHAN, "tidak cocok"),
    ("", "JOHN MICHAEL SMITH", PENYERAHAN, "Kode pengambilan belum diisi"),
    ("ABCD-EFGH", "MARY SMITH", PENYERAHAN, "bukan pemohon"),
    ("ABCD-EFGH", "JOHN MICHAEL SMITH", "199001012015032001", "bukan Petugas Penyerahan"),
])
def test_refusals_say_why(cfg, code, receiver, nip, why):
    with pytest.raises(Refused, match=why):
        hand_over(cfg, code, receiver, nip)


def test_codes_are_read_as_typed_or_scanned():
    assert normal_code(" abcd-efgh ") == normal_code("ABCDEFGH") == "ABCD-EFGH"
