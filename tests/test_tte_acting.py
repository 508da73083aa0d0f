"""An acting head of office (Plt.) listed in `[tte]` with the dates of the mandate: the
card drawn while they serve names them, they sign it within their dates and `verify`
says in which capacity; outside the dates the signature is refused with the reason."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.serialization import Encoding

from pipeline.cli import cli
from pipeline.domain.errors import ConfigError
from pipeline.domain.model import Env
from pipeline.office import config
from pipeline.office import home as homes
from pipeline.signing import settings, signatories
from pipeline.signing.pki import DemoCA, Person, p12_bytes, pem, write_private_file
from pipeline.signing.verify import verify_pdf
from pipeline.store.register import Register
from tests.conftest import MONDAY_9
from tests.stages import approve
from tests.test_tte_flow import SIGNED, _case, _pki
from tests.tte_office import FAMILIES

PLT = Person("Drs. H. AHMAD FAUZI, M.Si", "197001012000031001")
MONDAY = dt.date.fromisoformat(MONDAY_9[:10])
PASS = b"sandi-plt-uji"


def _add_acting_head(home: homes.Home, mulai: dt.date, sampai: dt.date,
                     days: int = 730) -> Path:
    """A Plt. certified by a CA of its own (added to the trust roots); their p12."""
    folder = home.state / "plt"
    folder.mkdir()
    ca = DemoCA("TEST Root CA Plt", organisation="TEST Plt")
    issued = ca.issue_signer(PLT, title="Plt. Kepala Dinas", days=days)
    (folder / "root.pem").write_bytes(pem(ca.cert))
    (folder / "root.crl").write_bytes(ca.crl().public_bytes(Encoding.DER))
    (folder / "plt.pem").write_bytes(pem(issued.cert))
    write_private_file(folder / "plt.p12", p12_bytes(issued, [ca.cert], PASS, "plt"))
    write_private_file(folder / "sandi.txt", PASS + b"\n")
    path = home.root / config.FILENAME
    text = path.read_text()
    text = re.sub(r"^trust_roots = \[", f'trust_roots = ["{folder / "root.pem"}", ', text,
                  count=1, flags=re.M)
    text = re.sub(r"^crls = \[", f'crls = ["{folder / "root.crl"}", ', text, count=1,
                  flags=re.M)
    text += (f'\n[[tte.plt]]\nnama = "{PLT.nama}"\nnip = "{PLT.nip}"\n'
             f'cert = "{folder / "plt.pem"}"\nmulai = {mulai}\nsampai = {sampai}\n')
    path.write_text(text)
    return folder


def _sign(home: homes.Home, cid: str, p12: Path, secret: Path) -> Result:
    return CliRunner().invoke(cli, ["--home", str(home.root), "sign", cid, "--p12", str(p12),
                                    "--passphrase-file", str(secret)])


@pytest.fixture
def drafted_by_acting_head(demo_at) -> tuple[homes.Home, str, Path]:
    """John's card drawn while the Plt. serves (their mandate covers both the office's
    fixed clock and today's real date, which the timestamp carries)."""
    home, ids = demo_at(6)
    today = dt.date.today()
    folder = _add_acting_head(home, min(MONDAY, today) - dt.timedelta(days=1),
                              max(MONDAY, today) + dt.timedelta(days=1))
    cid = ids["JOHN SMITH"]
    approve(home, 6, cid, FAMILIES["JOHN SMITH"])
    return home, cid, folder


def test_a_plt_within_dates_signs_and_the_card_says_so(drafted_by_acting_head) -> None:
    home, cid, folder = drafted_by_acting_head
    case = _case(home, cid)
    assert case.step == 8 and case.data["penanda_tangan"] == PLT.nip
    # the head of office's key does not sign a card that names the Plt.
    head = _sign(home, cid, _pki(home)["head"], _pki(home)["passphrase"])
    assert head.exit_code == 1 and "Plt." in head.stderr
    result = _sign(home, cid, folder / "plt.p12", folder / "sandi.txt")
    assert result.exit_code == 0, result.output
    card = home.root / _case(home, cid).folder / SIGNED
    text = pypdf.PdfReader(card).pages[0].extract_text()
    assert "PLT. KEPALA DINAS KEPENDUDUKAN" in text and PLT.nama in text
    shown = CliRunner().invoke(cli, ["--home", str(home.root), "verify", str(card)])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("ASLI:")
    assert "  Sebagai: Plt. Kepala Dinas Kependudukan dan Pencatatan Sipil" in shown.output
    reg = Register(home.register_path)
    signed = [e for e in reg.events(cid) if e["action"] == "ditandatangani"]
    reg.close()
    assert signed[0]["officer_nip"] == PLT.nip


def test_a_plt_after_their_dates_is_refused(drafted_by_acting_head, monkeypatch) -> None:
    home, cid, folder = drafted_by_acting_head
    later = max(MONDAY, dt.date.today()) + dt.timedelta(days=5)
    monkeypatch.setenv("KKWNA_NOW", f"{later}T09:00:00+08:00")
    result = _sign(home, cid, folder / "plt.p12", folder / "sandi.txt")
    assert result.exit_code == 1
    assert "menjabat Plt. hanya" in result.stderr and len(result.stderr.splitlines()) == 1
    assert _case(home, cid).step == 8


def test_verify_judges_a_plt_signature_by_the_date_it_was_made(drafted_by_acting_head) -> None:
    home, cid, folder = drafted_by_acting_head
    assert _sign(home, cid, folder / "plt.p12", folder / "sandi.txt").exit_code == 0
    card = home.root / _case(home, cid).folder / SIGNED
    env = Env(home, config.load(home.root))
    keyed = signatories.keyed_by_fingerprint(env.cfg, env.tte)
    assert verify_pdf(card, settings.trust(env.tte), keyed, env.cfg.tz).ok
    # the same card judged under a mandate that ended the day before it was signed
    ended = {sha: dataclasses.replace(s, sampai=s.mulai) if s.acting else s
             for sha, s in keyed.items()}
    verdict = verify_pdf(card, settings.trust(env.tte), ended, env.cfg.tz)
    assert not verdict.ok and "menjabat Plt. hanya" in verdict.reason


def test_acting_heads_are_checked_when_the_settings_are_read(tmp_path: Path) -> None:
    home = homes.Home(tmp_path / "kantor")
    homes.init(home)
    path = home.root / config.FILENAME
    base = path.read_text()
    cases = {
        "[[tte.plt]] ke-1 sampai: sebelum mulai": 'nama = "X"\nnip = "197001012000031001"\n'
                                                  'cert = "x.pem"\n'
                                                  "mulai = 2026-12-10\nsampai = 2026-12-01\n",
        "[[tte.plt]] ke-1 mulai: harus tanggal": 'nama = "X"\nnip = "197001012000031001"\n'
                                             'cert = "x.pem"\nmulai = "kemarin"\n'
                                             "sampai = 2026-12-01\n",
        "[[tte.plt]] ke-1 nip: NIP harus 18 angka": 'nama = "X"\nnip = "1970"\ncert = "x.pem"\n'
                                              "mulai = 2026-12-01\nsampai = 2026-12-02\n",
    }
    for message, table in cases.items():
        path.write_text(base + "\n[[tte.plt]]\n" + table)
        with pytest.raises(ConfigError, match=re.escape(message)):
            config.load(home.root)
    path.write_text(base.replace('backend = "p12"', 'backend = "bsre"'))
    with pytest.raises(ConfigError, match=r"\[tte\] bsre_url: wajib diisi"):
        config.load(home.root)


def test_status_warns_of_a_certificate_that_expires_within_30_days(demo_at) -> None:
    home, _ = demo_at(8)
    shown = CliRunner().invoke(cli, ["--home", str(home.root), "status"])
    assert shown.exit_code == 0 and "sertifikat" not in shown.output
    _add_acting_head(home, MONDAY, MONDAY + dt.timedelta(days=30), days=10)
    shown = CliRunner().invoke(cli, ["--home", str(home.root), "status"])
    line = next(x for x in shown.output.splitlines() if "sertifikat Plt." in x)
    assert f"Kepala Dinas Kependudukan dan Pencatatan Sipil {PLT.nama} berakhir" in line
    assert "hari lagi); minta sertifikat baru" in line
