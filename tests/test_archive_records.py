"""Issue 20 items 4 and 5: each filed case carries the classification and retention (JRA)
in force at filing, shown on the binder label, in the register book and in a bag;
`archive due` lists the cases whose retention has ended; every case folder holds a
PREMIS-like provenance.json readable without kkwna."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner

from pipeline import archive
from pipeline.archive import filing
from pipeline.office import config
from pipeline.office.config_archive import RecordsClass
from pipeline.office.home import Home
from pipeline.store.register import Register
from tests.archive_cases import FRONT, HANDOVER, HEAD_OF_OFFICE, VERIFIER, make_case
from tests.test_archive_books import pages_of
from tests.test_archive_fixity import _cli

OFFICE_CLASS = RecordsClass("kk-wna", "Penerbitan KK WNA", "470.12/KK-WNA", 2, 8, "musnah")


def _with_records(cfg: config.Config, rec: RecordsClass) -> config.Config:
    return dataclasses.replace(cfg, records=(rec,))


def _set_toml(office: Home, table: str) -> None:
    """Replace the [arsip.kk-wna] table of the office's kkwna.toml."""
    path = office.root / config.FILENAME
    text = path.read_text(encoding="utf-8")
    head, _, _ = text.partition("[arsip.kk-wna]")
    path.write_text(head + table, encoding="utf-8")
    config.load(office.root)


def test_the_default_table_is_in_kkwna_toml_and_bad_values_are_named() -> None:
    cfg = config.parse(tomllib.loads(config.DEFAULT))
    rec = cfg.records_class("kk-wna")
    assert (rec.kode, rec.aktif, rec.inaktif, rec.nasib_akhir) == \
        ("470/KK-WNA", 5, 5, "dinilai kembali")
    assert "[arsip.kk-wna]" in config.DEFAULT and "arsiparis" in config.DEFAULT
    data = tomllib.loads(config.DEFAULT)
    data["arsip"]["kk-wna"]["nasib_akhir"] = "dibakar"
    with pytest.raises(config.ConfigError, match=r"\[arsip.kk-wna\] nasib_akhir: harus salah satu"):
        config.parse(data)
    data["arsip"]["kk-wna"] = {"retensi_aktif": -1}
    with pytest.raises(config.ConfigError, match=r"\[arsip.kk-wna\] retensi_aktif: paling kecil 0"):
        config.parse(data)
    # another service (issue 17) gets its own table; kk-wna keeps its schedule
    data["arsip"] = {"akta-lahir": {"nama": "Akta Kelahiran", "kode_klasifikasi": "474.1",
                                    "retensi_aktif": 0, "retensi_inaktif": 0,
                                    "nasib_akhir": "permanen"}}
    two = config.parse(data)
    assert two.records_class("akta-lahir").nasib_akhir == "permanen"
    assert two.records_class("kk-wna").kode == "470/KK-WNA"


def test_filing_records_the_classification_then_in_force_and_a_change_rewrites_nothing(
        office: Home, reg: Register, cfg: config.Config, tmp_path: Path) -> None:
    first = archive.file_case(office, _with_records(cfg, OFFICE_CLASS), reg,
                              make_case(office, reg, 1))
    later = dataclasses.replace(OFFICE_CLASS, kode="471/KK-WNA", aktif=1)
    second = archive.file_case(office, _with_records(cfg, later), reg,
                               make_case(office, reg, 2, returned_at=3))
    assert archive.verify_archive(office, reg) == []

    def filing_detail(case_id: str) -> dict[str, object]:
        event = [e for e in reg.events(case_id) if e["action"] == filing.FILED_ACTION][-1]
        return json.loads(event["detail"])["klasifikasi"]  # type: ignore[no-any-return]

    assert filing_detail("KKWNA-2026-0001") == OFFICE_CLASS.as_detail()
    assert filing_detail("KKWNA-2026-0002")["kode"] == "471/KK-WNA"
    for folder, rec in ((first, OFFICE_CLASS), (second, later)):
        record = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
        assert record["klasifikasi"]["kode"] == rec.kode
        assert record["klasifikasi"]["retensi_inaktif_tahun"] == rec.inaktif

    label = " ".join(pages_of(first.parent / "label.pdf"))
    assert "470.12/KK-WNA" in label and "471/KK-WNA" in label
    assert "aktif 2 th + inaktif 8 th" in label and "musnah" in label
    book = " ".join(pages_of(office.archive / "2026" / "buku-register-2026.pdf"))
    assert "470.12/KK-WNA (2+8 th, musnah)" in book
    assert "471/KK-WNA (1+8 th, musnah)" in book
    rows = {r["nomor_register"]: r for r in archive.book_rows(reg, 2026)}
    assert rows["KKWNA-2026-0001"]["klasifikasi"] == "470.12/KK-WNA (2+8 th, musnah)"

    bag = archive.export_bagit(office, reg, tmp_path / "bag")
    info = bagit.Bag(str(bag)).info
    lines = info["Kkwna-Klasifikasi-Arsip"]
    assert any("470.12/KK-WNA" in line and "inaktif 8 tahun" in line and "musnah" in line
               for line in lines)
    assert bagit.Bag(str(bag)).is_valid()
    assert (bag / "data" / first.relative_to(office.archive) / "provenance.json").is_file()


def test_due_lists_cases_whose_retention_has_ended_and_deletes_nothing(
        office: Home, reg: Register, cfg: config.Config,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _set_toml(office, '[arsip.kk-wna]\nnama = "Penerbitan KK WNA"\nkode_klasifikasi = '
                      '"470/KK-WNA"\nretensi_aktif = 1\nretensi_inaktif = 2\n'
                      'nasib_akhir = "musnah"\n')
    office_cfg = config.load(office.root)
    monkeypatch.setenv("KKWNA_NOW", "2020-03-02T10:00:00+08:00")  # filed in the past
    old = archive.file_case(office, office_cfg, reg, make_case(office, reg, 1, year=2020))
    monkeypatch.setenv("KKWNA_NOW", "2026-11-23T09:00:00+08:00")
    archive.file_case(office, office_cfg, reg, make_case(office, reg, 2))
    runner = CliRunner()
    out = runner.invoke(_cli(office), ["archive", "due"])
    assert out.exit_code == 0, out.output
    lines = [line for line in out.output.splitlines() if "retensi" in line]
    assert lines == [
        "KKWNA-2020-0001: retensi berakhir 02-03-2023 (470/KK-WNA, aktif 1 + inaktif 2 "
        "tahun sejak diarsipkan 02-03-2020); nasib akhir: musnah. Menunggu keputusan "
        "arsiparis (kkwna tidak menghapus berkas)"]
    assert old.is_dir() and archive.verify_archive(office, reg) == []

    # retention 0 years: the case is due the day it is filed
    _set_toml(office, '[arsip.kk-wna]\nretensi_aktif = 0\nretensi_inaktif = 0\n'
                      'nasib_akhir = "permanen"\n')
    archive.file_case(office, config.load(office.root), reg, make_case(office, reg, 3))
    again = runner.invoke(_cli(office), ["archive", "due"]).output
    # (the register numbers of 2026 start again at 1)
    assert "KKWNA-2026-0002: retensi berakhir 23-11-2026" in again
    assert "nasib akhir: permanen" in again
    assert "KKWNA-2026-0001" not in again  # 1 + 2 years from 2026: not yet


def test_provenance_json_tells_who_did_what_when_without_kkwna(
        office: Home, reg: Register, cfg: config.Config, tmp_path: Path) -> None:
    folder = archive.file_case(office, cfg, reg, make_case(office, reg, 1))
    raw = (folder / "provenance.json").read_bytes()
    # listed in SHA256SUMS, recorded in the register: `archive verify` checks it
    assert f"{hashlib.sha256(raw).hexdigest()}  provenance.json\n" in \
        (folder / "SHA256SUMS").read_text()
    assert archive.verify_archive(office, reg) == []

    record = json.loads(raw)  # plain json: nothing of kkwna from here on
    assert record["kasus"]["objectIdentifier"]["objectIdentifierValue"] == "KKWNA-2026-0001"
    objects = {o["objectIdentifier"]["objectIdentifierValue"]: o for o in record["objects"]}
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert set(objects) == on_disk - {"provenance.json", "SHA256SUMS"}
    for name, obj in objects.items():
        assert obj["fixity"]["messageDigestAlgorithm"] == "SHA-256"
        assert obj["fixity"]["messageDigest"] == \
            hashlib.sha256((folder / name).read_bytes()).hexdigest()

    story = [(e["eventType"], e["eventDateTime"], e["linkingAgentIdentifier"][0]["name"],
              e["linkingAgentIdentifier"][0]["nip"], e["linkingAgentIdentifier"][0]["role"])
             for e in record["events"]]
    assert story[:-1] == [
        ("diterima", "2026-01-05T09:30:00+08:00", story[0][2], "", "sistem"),
        ("disetujui", "2026-01-05T09:35:00+08:00", *FRONT, "Front Office"),
        ("disetujui", "2026-01-05T09:40:00+08:00", *VERIFIER, "Verifikator"),
        ("ditandatangani", "2026-01-05T09:45:00+08:00", *HEAD_OF_OFFICE, "Kepala Dinas"),
        ("diserahkan", "2026-01-05T09:50:00+08:00", *HANDOVER, "Petugas"),
    ]
    assert story[0][2].startswith("kkwna")
    filed = record["events"][-1]
    assert filed["eventType"] == "diarsipkan"
    assert filed["eventDateTime"] == "2026-11-23T09:00:00+08:00"
    assert "riwayat.pdf" in filed["linkingObjectIdentifier"]
    assert filed["eventOutcomeInformation"]["eventOutcome"] == "berhasil"
    handed = record["events"][4]
    assert "PENERIMA 1" in handed["eventDetail"]["uraian"]
    signed = record["events"][3]
    assert "08 kartu keluarga WNA.pdf" in signed["linkingObjectIdentifier"]
    agents = {a["agentIdentifier"]["agentIdentifierValue"]: a for a in record["agents"]}
    assert agents[HEAD_OF_OFFICE[1]]["agentName"] == HEAD_OF_OFFICE[0]
    # the register's filing event has the same moment as the record
    event = [e for e in reg.events("KKWNA-2026-0001") if e["action"] == "diarsipkan"][-1]
    assert event["at"].startswith("2026-11-23T09:00:00")


def test_a_filing_finished_by_recover_records_what_the_folder_says(
        office: Home, reg: Register, cfg: config.Config,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A power cut between building the folder and committing the register, then
    kkwna.toml changed, then `recover`: the register records the classification and time
    the folder (provenance.json) holds, not the new ones."""
    case = make_case(office, reg, 1)

    def crash(*args: object) -> None:
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(filing, "_commit", crash)
    with pytest.raises(KeyboardInterrupt):
        archive.file_case(office, _with_records(cfg, OFFICE_CLASS), reg, case)
    monkeypatch.undo()
    monkeypatch.setenv("KKWNA_NOW", "2026-11-24T10:00:00+08:00")  # the next morning
    changed = dataclasses.replace(OFFICE_CLASS, kode="470/LAIN", nasib_akhir="permanen")
    archive.recover(office, _with_records(cfg, changed), reg)
    event = [e for e in reg.events(case.id) if e["action"] == filing.FILED_ACTION][-1]
    assert json.loads(event["detail"])["klasifikasi"] == OFFICE_CLASS.as_detail()
    assert event["at"].startswith("2026-11-23T09:00:00")
    assert archive.verify_archive(office, reg) == []
