"""`kkwna archive renew`: a filed KK whose timestamp authority's certificate expires soon
gets a new file version with fresh validation data and a new document timestamp; the
original stays byte for byte, and the register, SHA256SUMS and the chain follow."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate, AdESPassed
from pyhanko.sign.validation import ades
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo

from pipeline import archive
from pipeline.archive import renew, versions
from pipeline.domain import clock
from pipeline.office import config
from pipeline.office.home import Home
from pipeline.signing import keys, pades
from pipeline.signing.demo import replace_tte_section
from pipeline.signing.pki import p12_bytes, pem
from pipeline.store.register import Register
from tests.archive_cases import KK, make_case
from tests.signing_pki import BLOCK, PASSPHRASE, make_draft, shared_pki
from tests.test_archive_fixity import _cli
from tests.test_signing_pades import _offline_spec


@pytest.fixture(scope="module")
def short_tsa(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, dt.datetime]:
    """A KK signed (B-LTA) through a timestamp authority whose certificate lives one year;
    returns its bytes and that certificate's expiry."""
    pki = shared_pki()
    folder = tmp_path_factory.mktemp("short-tsa")
    tsa = pki.ca.issue_tsa(years=1)
    (folder / "tsa.p12").write_bytes(p12_bytes(tsa, [pki.ca.cert], PASSPHRASE, "tsa"))
    make_draft(folder / "draft.pdf")
    pades.sign_kk(folder / "draft.pdf", folder / KK, p12=pki.head_p12, passphrase=PASSPHRASE,
                  trust=pki.trust,
                  timestamper=keys.in_process_timestamper(folder / "tsa.p12", PASSPHRASE),
                  block=BLOCK, expected_signer_sha256=pki.head_sha256)
    return (folder / KK).read_bytes(), tsa.cert.not_valid_after_utc


def _lta_at(path: Path, moment: dt.datetime) -> object:
    """pyHanko's own AdES B-LTA validation as it would run at *moment* (offline)."""
    sig = PdfFileReader(io.BytesIO(path.read_bytes())).embedded_regular_signatures[0]
    timing = ValidationTimingInfo(validation_time=moment, best_signature_time=moment,
                                  point_in_time_validation=False)
    return asyncio.run(ades.ades_lta_validation(sig, _offline_spec(), timing_info=timing))\
        .ades_subindic


def test_a_kk_whose_tsa_expires_soon_is_renewed_and_outlives_the_old_certificate(
        office: Home, reg: Register, cfg: config.Config,
        short_tsa: tuple[bytes, dt.datetime]) -> None:
    signed, tsa_expiry = short_tsa
    pki = shared_pki()
    other = make_case(office, reg, 2)  # an unsigned KK: nothing to renew, never touched
    case = make_case(office, reg, 1, kk_bytes=signed)
    folder = archive.file_case(office, cfg, reg, case)
    archive.file_case(office, cfg, reg, other)
    now = clock.now(cfg.tz)

    due = renew.due(office, reg, before=now + dt.timedelta(days=2 * 365))
    assert [(d.case_id, d.name, d.expires) for d in due] == [(case.id, KK, tsa_expiry)]
    assert renew.due(office, reg, before=tsa_expiry - dt.timedelta(days=1)) == []

    name = renew.renew_case(office, cfg, reg, due[0], trust=pki.trust,
                            timestamper=keys.in_process_timestamper(pki.tsa_p12, PASSPHRASE))
    assert name == f"08 kartu keluarga WNA (diperbarui {now.date().isoformat()}).pdf"
    assert (folder / KK).read_bytes() == signed  # the filed original, byte for byte
    renewed = folder / name
    assert renewed.read_bytes().startswith(signed)  # a new revision after the original's
    assert oct(renewed.stat().st_mode & 0o777) == "0o444"

    later = tsa_expiry + dt.timedelta(days=30)
    assert _lta_at(folder / KK, later) == AdESIndeterminate.NO_POE
    assert _lta_at(renewed, later) == AdESPassed.OK

    # the register, SHA256SUMS and the chain follow; the fresh TSA is good for 10 years
    assert archive.verify_archive(office, reg) == []
    assert name in archive.filing.read_sums(folder)
    event = reg.events(case.id)[-1]
    assert event["action"] == "diperbarui"
    assert name in event["detail"]
    assert [d.name for d in renew.due(office, reg, before=now + dt.timedelta(days=2 * 365))] \
        == []
    # the signature check of `archive verify` looks at the newest version
    assert versions.current_kk({r["name"] for r in reg.documents(case.id)}) == name


def test_filing_keeps_a_future_validation_report_and_renew_writes_a_fresh_one(
        office: Home, reg: Register, cfg: config.Config,
        short_tsa: tuple[bytes, dt.datetime], monkeypatch: pytest.MonkeyPatch) -> None:
    # the office clock at the real time: the test certificates were issued just now
    monkeypatch.setenv("KKWNA_NOW", dt.datetime.now(dt.UTC).isoformat())
    signed, tsa_expiry = short_tsa
    pki = shared_pki()
    trusted = dataclasses.replace(cfg, tte=dataclasses.replace(cfg.tte,
                                                               trust_roots=(pki.root,)))
    case = make_case(office, reg, 1, kk_bytes=signed)
    folder = archive.file_case(office, trusted, reg, case)
    name = "08 kartu keluarga WNA - laporan validasi.json"
    assert name in archive.filing.read_sums(folder)
    assert name in {r["name"] for r in reg.documents(case.id)}
    report = json.loads((folder / name).read_text(encoding="utf-8"))
    assert report["sha256"] == hashlib.sha256(signed).hexdigest()
    assert report["penanda_tangan"]["berlaku_sampai"]
    assert "TEST Root CA" in report["rantai_sertifikat"][-1]["subjek"]
    assert report["data_validasi_tertanam"]["dss_ada"] is True
    assert report["data_validasi_tertanam"]["crl"] >= 1
    kinds = [s["jenis"] for s in report["cap_waktu"]]
    assert kinds[-1] == "cap waktu dokumen"
    until = dt.datetime.fromisoformat(report["dapat_divalidasi_luring_sampai"])
    assert until == tsa_expiry  # the 1-year TSA certificate ends the offline validity
    checks = report["validasi_pyhanko"]
    assert (checks["saat_ini"]["hasil"], checks["saat_ini"]["sub_indikasi"]) == \
        ("PASSED", "OK")
    assert checks["setelah_batas_luring"]["hasil"] == "INDETERMINATE"
    assert dt.datetime.fromisoformat(checks["setelah_batas_luring"]["waktu_validasi"]) \
        > tsa_expiry

    due = renew.due(office, reg, before=clock.now(cfg.tz) + dt.timedelta(days=2 * 365))
    new = renew.renew_case(office, trusted, reg, due[0], trust=pki.trust,
                           timestamper=keys.in_process_timestamper(pki.tsa_p12, PASSPHRASE))
    fresh_name = new.removesuffix(".pdf") + " - laporan validasi.json"
    fresh = json.loads((folder / fresh_name).read_text(encoding="utf-8"))
    assert fresh["berkas"] == new
    assert dt.datetime.fromisoformat(fresh["dapat_divalidasi_luring_sampai"]) > tsa_expiry
    assert fresh["validasi_pyhanko"]["saat_ini"]["hasil"] == "PASSED"
    # the renewed version passes a day after the old limit, where the original did not
    assert _lta_at(folder / new, until + dt.timedelta(days=1)) == AdESPassed.OK
    assert (folder / name).read_text(encoding="utf-8") == json.dumps(
        report, ensure_ascii=False, indent=1) + "\n"  # the filing's report stays
    assert fresh_name in archive.filing.read_sums(folder)
    assert archive.verify_archive(office, reg) == []


def test_the_renew_command_renews_records_and_leaves_the_archive_verifiable(
        office: Home, reg: Register, cfg: config.Config,
        short_tsa: tuple[bytes, dt.datetime], monkeypatch: pytest.MonkeyPatch) -> None:
    """`kkwna archive renew` itself, on an office whose filed KK was stamped by a TSA whose
    certificate ends within a year (inside the default 2-year window)."""
    monkeypatch.setenv("KKWNA_NOW", dt.datetime.now(dt.UTC).isoformat())
    signed, tsa_expiry = short_tsa
    pki = shared_pki()
    head_cert = office.root / "kepala.pem"
    head_cert.write_bytes(pem(pki.head.cert))
    path = office.root / config.FILENAME
    path.write_text(replace_tte_section(path.read_text(encoding="utf-8"), {
        "trust_roots": [str(pki.root)], "crls": [str(pki.crl)],
        "head_of_office_cert": str(head_cert), "passphrase_file": str(pki.passphrase_file),
        "tsa_p12": str(pki.tsa_p12)}), encoding="utf-8")
    office_cfg = config.load(office.root)
    case = make_case(office, reg, 1, kk_bytes=signed)
    folder = archive.file_case(office, office_cfg, reg, case)
    runner = CliRunner()
    assert runner.invoke(_cli(office), ["archive", "verify"]).exit_code == 0

    done = runner.invoke(_cli(office), ["archive", "renew"])
    assert done.exit_code == 0, done.output
    day = clock.now(office_cfg.tz).date()
    name = f"08 kartu keluarga WNA (diperbarui {day.isoformat()}).pdf"
    limit = clock.now(office_cfg.tz) + dt.timedelta(days=2 * 365)
    assert done.output.splitlines() == [
        f"{case.id}: {KK} -> {name}",
        f"1 KK diperbarui (cap waktu berakhir sebelum {limit:%d-%m-%Y})"]
    renewed = folder / name
    assert renewed.is_file() and renewed.read_bytes().startswith(signed)
    assert (folder / KK).read_bytes() == signed
    reg_after = Register(office.register_path)
    try:
        event = reg_after.events(case.id)[-1]
        assert event["action"] == renew.RENEWED_ACTION
        assert json.loads(event["detail"])["berkas"] == name
        recorded = {r["name"]: r["sha256"] for r in reg_after.documents(case.id)}
    finally:
        reg_after.close()
    sums = archive.filing.read_sums(folder)
    assert sums[name] == recorded[name] == hashlib.sha256(renewed.read_bytes()).hexdigest()
    assert name.removesuffix(".pdf") + " - laporan validasi.json" in sums
    checked = runner.invoke(_cli(office), ["archive", "verify"])
    assert checked.exit_code == 0, checked.output
    assert "arsip utuh" in checked.output
    # nothing left to renew: the fresh TSA certificate is good for 10 years
    again = runner.invoke(_cli(office), ["archive", "renew"])
    assert again.exit_code == 0 and again.output.startswith("0 KK diperbarui"), again.output
    assert tsa_expiry < limit


def test_a_card_signed_without_a_timestamp_is_due_and_renewed_to_b_lta(
        office: Home, reg: Register, cfg: config.Config, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A B-LT card (signed while no TSA was set up) carries no timestamp at all: its
    offline validity ends with the signer's certificate; renew gives it its first one."""
    monkeypatch.setenv("KKWNA_NOW", dt.datetime.now(dt.UTC).isoformat())
    pki = shared_pki()
    make_draft(tmp_path / "draft.pdf")
    pades.sign_kk(tmp_path / "draft.pdf", tmp_path / KK, p12=pki.head_p12,
                  passphrase=PASSPHRASE, trust=pki.trust, timestamper=None, block=BLOCK,
                  expected_signer_sha256=pki.head_sha256)
    case = make_case(office, reg, 1, kk_bytes=(tmp_path / KK).read_bytes())
    folder = archive.file_case(office, cfg, reg, case)
    head_expiry = pki.head.cert.not_valid_after_utc
    due = renew.due(office, reg, before=head_expiry + dt.timedelta(days=1))
    assert [(d.case_id, d.expires) for d in due] == [(case.id, head_expiry)]
    name = renew.renew_case(office, cfg, reg, due[0], trust=pki.trust,
                            timestamper=keys.in_process_timestamper(pki.tsa_p12, PASSPHRASE))
    reader = PdfFileReader(io.BytesIO((folder / name).read_bytes()))
    assert len(reader.embedded_timestamp_signatures) == 1
    assert archive.verify_archive(office, reg) == []
