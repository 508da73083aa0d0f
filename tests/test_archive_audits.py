"""Fixity audits with a history: every `archive verify` is an event of the register's chain
(when, scope, result, what failed), `--sample N` checks N random cases, `status` shows the
last full audit and warns after 30 days."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.archive import audits as audits
from pipeline.office import config
from pipeline.office.home import Home
from pipeline.reports import status
from pipeline.store.register import Register
from tests.test_archive_fixity import _cli, filed, writable  # noqa: F401 - the fixture


def _audits(reg: Register) -> list[dict[str, object]]:
    return [json.loads(e["detail"]) | {"at": e["at"]} for e in reg.events(audits.AUDIT_CASE)]


def test_each_verify_is_recorded_in_the_chain_with_its_scope_and_result(
        office: Home, reg: Register, filed: list[Path]) -> None:  # noqa: F811
    runner = CliRunner()
    ok = runner.invoke(_cli(office), ["archive", "verify"])
    assert ok.exit_code == 0, ok.output
    victim = filed[0] / "scans" / "paspor.jpg"
    writable(victim)
    victim.write_bytes(b"diganti")
    bad = runner.invoke(_cli(office), ["archive", "verify", "--year", "2026"])
    assert bad.exit_code == 1

    first, second = _audits(reg)
    assert first["lingkup"] == "penuh" and first["hasil"] == "utuh"
    assert first["kasus_diperiksa"] == 3 and first["masalah"] == []
    assert first["at"] == "2026-11-23T09:00:00+08:00"
    assert second["lingkup"] == "tahun 2026" and second["hasil"] == "bermasalah"
    assert second["jumlah_masalah"] == 2
    assert any("paspor.jpg: isi berubah" in str(p) for p in second["masalah"])  # type: ignore
    # the audit events are part of the chain: sound as recorded, an edit is found
    assert reg.verify_chain() == []
    reg.db.execute("UPDATE events SET detail = '{\"hasil\": \"utuh\"}' WHERE case_id = ?",
                   (audits.AUDIT_CASE,))
    assert any(audits.AUDIT_CASE in p for p in reg.verify_chain())


def test_a_sample_checks_n_random_filed_cases(office: Home, reg: Register,
                                              filed: list[Path]) -> None:  # noqa: F811
    runner = CliRunner()
    two = runner.invoke(_cli(office), ["archive", "verify", "--sample", "2"])
    assert two.exit_code == 0, two.output
    assert "2 kasus" in two.output
    victim = filed[1] / "scans" / "paspor.jpg"
    writable(victim)
    victim.write_bytes(b"diganti")
    every = runner.invoke(_cli(office), ["archive", "verify", "--sample", "3"])
    assert every.exit_code == 1
    assert "paspor.jpg: isi berubah" in every.output
    sample, full_sample = _audits(reg)
    assert sample["lingkup"] == "sampel 2" and len(sample["kasus"]) == 2  # type: ignore
    assert set(sample["kasus"]) <= {"KKWNA-2026-0001", "KKWNA-2026-0002",  # type: ignore
                                    "KKWNA-2026-0003"}
    assert full_sample["hasil"] == "bermasalah"
    assert audits.last_full_audit(reg) is None  # a sample is not a full audit


def test_status_shows_the_last_full_audit_and_warns_after_30_days(
        office: Home, reg: Register, cfg: config.Config, filed: list[Path],  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert "belum pernah" in status.render(cfg, reg)  # filed cases, never audited
    assert CliRunner().invoke(_cli(office), ["archive", "verify"]).exit_code == 0
    shown = status.render(cfg, reg)
    assert "Audit arsip penuh terakhir: 23-11-2026 (utuh)" in shown
    assert "PERHATIAN" not in shown
    monkeypatch.setenv("KKWNA_NOW", "2026-12-24T09:00:00+08:00")  # 31 days later
    late = status.render(cfg, reg)
    assert "PERHATIAN: audit arsip penuh terakhir 31 hari lalu" in late


def test_due_lists_an_overdue_audit_until_one_is_made(office: Home, reg: Register,
                                                      filed: list[Path]) -> None:  # noqa: F811
    runner = CliRunner()
    before = runner.invoke(_cli(office), ["archive", "due"])
    assert before.exit_code == 0, before.output
    assert "arsip belum pernah diaudit penuh" in before.output
    assert runner.invoke(_cli(office), ["archive", "verify"]).exit_code == 0
    after = runner.invoke(_cli(office), ["archive", "due"])
    assert after.output.strip() == "tidak ada yang jatuh tempo"
