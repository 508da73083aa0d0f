"""Step 8 through the national TTE service (`[tte] backend = "bsre"`), against our own
stand-in on 127.0.0.1 (tests/bsre_double.py): a batch that survives a timeout and a
500, refusals in one line, a changed card refused, and no approval signed twice.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from pipeline.cli import cli
from pipeline.domain.model import Env
from pipeline.office import config
from pipeline.office import home as homes
from pipeline.signing import keys, pades, settings
from pipeline.signing.bsre import WRONG_PASSPHRASE
from pipeline.signing.verify import verify_pdf
from pipeline.store.register import Register
from tests import tte_office
from tests.bsre_double import BsreDouble
from tests.conftest import MONDAY_9
from tests.test_tte_flow import SIGNED
from tests.tte_office import JANE, JOHN

HEAD_NIK = "6305045203820001"


def _variant(n: int, name: str) -> dict:
    member = {**JANE["anggota"][0], "nama_lengkap": name,
              "nik": f"63050460078500{n:02d}", "no_paspor": f"PB76543{n:02d}",
              "no_kitap": f"2C21JD00{n:02d}-B"}
    return {**JANE, "no_kk": f"63050412112600{n:02d}", "anggota": [member]}


FIVE = {"JOHN SMITH": JOHN, "JANE DOE": JANE, "MARY": _variant(3, "MARY ANN DOE"),
        "LUCY": _variant(4, "LUCY JANE DOE"), "ROSE": _variant(5, "ROSE MARIE DOE")}


@pytest.fixture(scope="session")
def five_at_8(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A demo office with five cases waiting for the TTE."""
    root = tmp_path_factory.mktemp("tte-remote")
    stages = tte_office.build(root, FIVE)
    return stages[8], json.loads((root / "ids.json").read_text())


@pytest.fixture
def office(five_at_8, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) \
        -> Iterator[tuple[homes.Home, dict[str, str], BsreDouble]]:
    """A copy of the office, its `[tte]` pointed at a fresh TTE service double."""
    monkeypatch.setenv("KKWNA_NOW", MONDAY_9)
    built, ids = five_at_8
    home = homes.Home(tmp_path / "kantor")
    shutil.copytree(built, home.root, symlinks=True)
    pki = home.state / "demo-pki"
    passphrase = keys.read_passphrase(pki / "passphrase.txt")
    auth = home.state / "bsre-auth.txt"
    auth.write_text("kkwna:rahasia-layanan\n")
    auth.chmod(0o600)
    with BsreDouble({HEAD_NIK: (pki / "demo-kepala-dinas.p12", passphrase)}) as double:
        double.hang = 3.0
        path = home.root / config.FILENAME
        text = path.read_text()
        for old, new in (('backend = "p12"', 'backend = "bsre"'),
                         ('head_nik = ""', f'head_nik = "{HEAD_NIK}"'),
                         ('bsre_url = ""', f'bsre_url = "{double.url}"'),
                         ('bsre_auth_file = ""', f'bsre_auth_file = "{auth}"'),
                         ("bsre_timeout = 60", "bsre_timeout = 1.5")):
            assert old in text, old
            text = text.replace(old, new)
        path.write_text(text)
        yield home, ids, double


def _sign(home: homes.Home, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--home", str(home.root), "sign", *args,
                                    "--passphrase-file",
                                    str(home.state / "demo-pki" / "passphrase.txt")])


def _steps(home: homes.Home) -> dict[str, int]:
    reg = Register(home.register_path)
    try:
        return {c.id: c.step for c in reg.cases()}
    finally:
        reg.close()


def _signed_events(home: homes.Home, cid: str) -> int:
    reg = Register(home.register_path)
    try:
        return sum(1 for e in reg.events(cid) if e["action"] == "ditandatangani")
    finally:
        reg.close()


def _status(home: homes.Home) -> str:
    return CliRunner().invoke(cli, ["--home", str(home.root), "status"]).output


def test_a_batch_of_five_survives_a_timeout_and_a_500_and_signs_each_card_once(office) -> None:
    home, ids, double = office
    double.script = ["ok", "timeout", "500"]
    first = _sign(home, "--all")
    assert first.exit_code == 1
    assert "1 KK ditandatangani, 1 gagal, 3 belum dicoba" in first.output
    assert "layanan TTE tidak dapat dihubungi; coba lagi" in first.output
    assert "TTE: layanan TTE tidak dapat dihubungi" in _status(home)
    second = _sign(home, "--all")  # the timed-out card is the service's first answer
    assert second.exit_code == 1 and "HTTP 500" in second.output
    third = _sign(home, "--all")
    assert third.exit_code == 0, third.output
    assert set(_steps(home).values()) == {11}
    assert "TTE:" not in _status(home)
    assert double.signatures == 5  # the retry after the timeout was not signed again
    assert {r["tampilan"] for r in double.requests} == {"invisible"}
    env = Env(home, config.load(home.root))
    t = env.tte
    root = keys.load_certificate(t.trust_roots[0])
    for cid in ids.values():
        assert _signed_events(home, cid) == 1
        reg = Register(home.register_path)
        card = home.root / reg.get(cid).folder / SIGNED
        reg.close()
        # pyHanko alone, with the office's root, judges the card the service signed
        reader = PdfFileReader(io.BytesIO(card.read_bytes()))
        status = validate_pdf_signature(reader.embedded_regular_signatures[0],
                                        ValidationContext(trust_roots=[root],
                                                          allow_fetching=False))
        assert status.intact and status.valid and status.trusted, cid
        verdict = verify_pdf(card, settings.trust(t), settings.head_of_office_sha256(t))
        assert verdict.ok, verdict.reason
    assert not list((home.state / "tte").glob("*.pdf")), "kept answers are spent"


def test_a_wrong_passphrase_is_one_line_and_never_shown(office, tmp_path: Path) -> None:
    home, ids, double = office
    wrong = tmp_path / "salah.txt"
    wrong.write_text("bukan-sandi-ini\n")
    wrong.chmod(0o600)
    result = CliRunner().invoke(cli, ["--home", str(home.root), "sign", ids["JOHN SMITH"],
                                      "--passphrase-file", str(wrong)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"kkwna: {WRONG_PASSPHRASE}"
    assert "bukan-sandi-ini" not in result.output
    assert _steps(home)[ids["JOHN SMITH"]] == 8


@pytest.mark.parametrize(("behaviour", "reason"), [
    ("other", "KK dari layanan TTE ditolak: tanda tangan disertai perubahan isi dokumen"),
    ("expired", "sertifikat TTE penanda tangan kedaluwarsa atau dicabut"),
])
def test_a_refused_or_changed_card_leaves_the_case_waiting(office, behaviour: str,
                                                            reason: str) -> None:
    home, ids, double = office
    double.script = [behaviour]
    result = _sign(home, ids["JOHN SMITH"])
    assert (result.exit_code, result.stderr.strip()) == (1, f"kkwna: {reason}")
    assert _steps(home)[ids["JOHN SMITH"]] == 8
    reg = Register(home.register_path)
    folder = home.root / reg.get(ids["JOHN SMITH"]).folder
    reg.close()
    assert not (folder / SIGNED).exists()
    assert not list((home.state / "tte").glob("*.pdf")), "a refused answer is not kept"


def test_an_answer_to_fetch_by_id_is_taken(office) -> None:
    home, ids, double = office
    double.script = ["download"]
    assert _sign(home, ids["JANE DOE"]).exit_code == 0
    assert _steps(home)[ids["JANE DOE"]] == 11


def test_a_crash_after_the_answer_uses_the_kept_card_instead_of_asking_again(
        office, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service answered; kkwna died before recording the step. The retry must not
    make the head's approval into a second signed card."""
    home, ids, double = office
    real = pades.add_validation_data

    class Killed(BaseException):
        """The process is gone between the answer and the record."""

    def dies(*args, **kwargs):
        raise Killed

    monkeypatch.setattr(pades, "add_validation_data", dies)
    with pytest.raises(Killed):
        CliRunner().invoke(cli, ["--home", str(home.root), "sign", ids["JOHN SMITH"],
                                 "--passphrase-file",
                                 str(home.state / "demo-pki" / "passphrase.txt")],
                           catch_exceptions=False)
    assert _steps(home)[ids["JOHN SMITH"]] == 8
    assert len(list((home.state / "tte").glob("*.pdf"))) == 1
    monkeypatch.setattr(pades, "add_validation_data", real)
    assert _sign(home, ids["JOHN SMITH"]).exit_code == 0
    assert (len(double.requests), double.signatures) == (1, 1)
    assert _signed_events(home, ids["JOHN SMITH"]) == 1



def test_the_web_approval_signs_through_the_service_too(office) -> None:
    """The head approves two KKs in the browser door; the service signs each once, and a
    timeout in between leaves that card waiting, not lost."""
    from pipeline.web.passwords import set_password
    from tests.webdoor import Client, serving

    home, ids, double = office
    cfg = config.load(home.root)
    head = cfg.head_of_office().nip
    set_password(home, cfg, head, "sandi-web-kepala-1")
    passphrase = keys.read_passphrase(home.state / "demo-pki" / "passphrase.txt").decode()
    double.script = ["ok", "timeout"]
    cids = [ids["JOHN SMITH"], ids["JANE DOE"]]
    with serving(home) as base:
        http = Client(base)
        assert http.login(head, "sandi-web-kepala-1").status == 303
        answer = http.post("/persetujuan/setujui", {
            "csrf": http.csrf("/persetujuan"), "kasus": cids, "sandi_sertifikat": passphrase})
        assert "1 KK ditandatangani" in answer.text
        assert "layanan TTE tidak dapat dihubungi" in answer.text
        assert passphrase not in answer.text
    steps = _steps(home)
    assert steps[cids[0]] == 11 and steps[cids[1]] == 8
    assert double.signatures == 2  # the timed-out card was signed at the service ...
    assert _sign(home, cids[1]).exit_code == 0  # ... and the retry takes that same card
    assert double.signatures == 2 and _signed_events(home, cids[1]) == 1
