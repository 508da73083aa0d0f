"""A desk form is bound to its case and step by what the pipeline placed; its error file is
read like any file on a desk; files are written with the office's modes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.desks import forms, placing
from pipeline.store.register import Register
from tests.conftest import FRONT_OFFICE
from tests.office import fill, jpeg, one, run_once, visible
from tests.test_front_office import CHECKLIST_OK

ROOT = Path(__file__).resolve().parent.parent
DESK = "02-front-office"


def two_cases(office) -> tuple[Path, Path]:
    jpeg(office.inbox / "ANI.jpg", text="ani")
    jpeg(office.inbox / "BAYU.jpg", text="bayu")
    run_once(office)
    desk = office.desks / DESK
    return (one(desk, "KKWNA-2026-0001 *.pdf"), one(desk, "KKWNA-2026-0002 *.pdf"))


def state(office, cid: str) -> tuple[str, int, list[str]]:
    reg = Register(office.register_path)
    try:
        case = reg.get(cid)
        return case.status, case.step, [e["action"] for e in reg.events(cid)]
    finally:
        reg.close()


def test_the_placed_form_carries_a_token_recorded_with_its_digest(office):
    ani, _ = two_cases(office)
    fields, digest = forms.read_form(ani)
    reg = Register(office.register_path)
    case = reg.get("KKWNA-2026-0001")
    reg.close()
    assert case.data["placed"]["2"] == digest  # the digest, as the steps read it
    assert case.data["placed_token"]["2"] == fields["token"]
    assert len(fields["token"]) == 32 and case.data["placed_tokens"] == {fields["token"]: 2}
    assert placing.match(case, 2, fields["token"]) == placing.CURRENT
    assert placing.match(case, 2, "") == placing.FOREIGN  # the token field removed
    # a case placed before tokens takes tokenless forms, and no stranger's token
    case.data.pop("placed_token")
    case.data.pop("placed_tokens")
    assert placing.placed_digest(case, 2) == digest
    assert placing.match(case, 2, "") == placing.CURRENT
    assert placing.match(case, 2, "f" * 32) == placing.FOREIGN


def test_a_form_whose_step_was_changed_stays_with_an_error_and_decides_nothing(office):
    _, bayu = two_cases(office)
    fill(bayu, {**CHECKLIST_OK, "langkah": "3"})
    run_once(office)
    assert bayu.exists()  # not deleted as stale: the case would have no form anywhere
    error = bayu.with_name(bayu.name + ".error.txt").read_text()
    assert "KKWNA-2026-0002" in error and "diubah" in error
    assert state(office, "KKWNA-2026-0002") == ("open", 2, ["diterima"])


def test_a_form_pointed_at_another_case_decides_nothing_for_either(office):
    ani, bayu = two_cases(office)
    fill(ani, {**CHECKLIST_OK, "kasus": "KKWNA-2026-0002"})
    run_once(office)
    assert state(office, "KKWNA-2026-0002") == ("open", 2, ["diterima"])
    assert state(office, "KKWNA-2026-0001") == ("open", 2, ["diterima"])
    assert ani.exists() and "bukan formulir yang ditempatkan" in \
        ani.with_name(ani.name + ".error.txt").read_text()
    # the real form of the other case is still on the desk and still decides it
    fill(bayu, CHECKLIST_OK)
    run_once(office)
    assert state(office, "KKWNA-2026-0002")[:2] == ("open", 3)
    assert ani.exists()  # deciding 0002 did not sweep away the form claiming to be its


@pytest.mark.timeout(60)
def test_an_error_file_replaced_by_a_fifo_never_hangs_the_watcher(office):
    ani, _ = two_cases(office)
    fill(ani, {**CHECKLIST_OK, "cek_hadir_sendiri": "tidak"})
    error = ani.with_name(ani.name + ".error.txt")
    os.mkfifo(error)
    run_once(office)
    assert error.is_file() and "Pemohon datang sendiri" in error.read_text()


def test_an_unknown_forms_error_file_goes_when_a_valid_form_of_that_name_is_placed(office):
    desk = office.desks / DESK
    old = desk / "KKWNA-2026-0001 ANI - lembar checklist.pdf"
    old.write_bytes(b"%PDF-1.7 left from before the register was reset")
    run_once(office)
    assert old.with_name(old.name + ".error.txt").exists()
    jpeg(office.inbox / "ANI.jpg", text="ani")
    run_once(office)
    assert visible(desk) == [old]  # the new, valid form of that name
    assert forms.read_form(old)[0]["kasus"] == "KKWNA-2026-0001"
    assert not old.with_name(old.name + ".error.txt").exists()


def kkwna(office, *args: str, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    def set_umask() -> None:
        os.umask(umask)
    return subprocess.run([sys.executable, "-m", "pipeline", "--home", str(office.root), *args],
                          capture_output=True, text=True, timeout=120, preexec_fn=set_umask,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def modes(office) -> dict[str, int]:
    # the open case's folder (the archive makes the files it files read-only on purpose)
    case_dir = one(office.cases, "KKWNA-2026-0002 *")
    return {"desk form": stat.S_IMODE(one(office.desks / DESK, "*.pdf").stat().st_mode),
            "print copy": stat.S_IMODE(one(office.print, "*.pdf").stat().st_mode),
            "case file": stat.S_IMODE((case_dir / "01 berkas permohonan.pdf").stat().st_mode),
            "scan copy": stat.S_IMODE((case_dir / "scans" / "BAYU.jpg").stat().st_mode)}


@pytest.mark.parametrize(("umask", "policy", "expected"), [
    (0o027, None, 0o640),  # no [files] mode: the umask decides
    (0o022, "0660", 0o660),  # [files] mode: whatever the umask
])
def test_written_files_get_the_umask_or_the_offices_mode(office, umask, policy, expected):
    if policy:
        toml = office.root / "kkwna.toml"
        toml.write_text(toml.read_text().replace('# mode = "0664"', f'mode = "{policy}"'))
    jpeg(office.inbox / "ANI.jpg", text="ani")
    jpeg(office.inbox / "BAYU.jpg", text="bayu")
    assert kkwna(office, "watch", "--once", umask=umask).returncode == 0
    returned = kkwna(office, "decide", "KKWNA-2026-0001", "--step", "2", "--return",
                     "KITAP belum ada", "--officer", FRONT_OFFICE, umask=umask)
    assert returned.returncode == 0, returned.stderr
    assert modes(office) == {"desk form": expected, "print copy": expected,
                             "case file": expected, "scan copy": expected}
