"""The `[tte]` section of kkwna.toml, and a demo home signing and verifying end to end
from it (B-LTA through the in-process timestamp authority)."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from pipeline.office import config
from pipeline.signing import keys, pades, settings
from pipeline.signing.pki import Person, make_demo_pki, tte_values
from pipeline.signing.seal import SealFields, family_digest, make_seal, open_seal
from pipeline.signing.verify import verify_pdf
from tests.signing_pki import BLOCK, FAMILY, make_draft


def _parse(text: str) -> config.Config:
    return config.parse(tomllib.loads(text))


def test_default_tte_section_is_empty_and_explained() -> None:
    assert "[tte]" in config.DEFAULT and "tsa_url" in config.DEFAULT
    tte = _parse(config.DEFAULT).tte
    assert tte == config.TteConfig()
    with pytest.raises(keys.SigningError, match="tte.trust_roots belum diisi"):
        settings.trust(tte)
    with pytest.raises(keys.SigningError, match="tte.seal_cert belum diisi"):
        settings.seal_certificate(tte)
    assert settings.timestamper(tte) is None


@pytest.mark.parametrize(("key", "value", "message"), [
    ("tsa_url", "ftp://x", r"\[tte\] tsa_url: harus alamat http"),
    ("allow_fetching", 1, r"\[tte\] allow_fetching: harus true atau false"),
    ("trust_roots", "root.pem", r"\[tte\] trust_roots: harus daftar"),
    ("seal_p12", 5, r"\[tte\] seal_p12: harus teks"),
    ("kunci", "x", r"\[tte\] kunci: kunci tidak dikenal"),
])
def test_bad_tte_values_name_the_key(key: str, value: object, message: str) -> None:
    data = tomllib.loads(config.DEFAULT)
    data["tte"][key] = value
    with pytest.raises(config.ConfigError, match=message):
        config.parse(data)


def test_demo_home_signs_b_lta_and_seals_from_its_own_kkwna_toml(tmp_path: Path) -> None:
    home = tmp_path / "kantor"
    pki = make_demo_pki(home / "tte", head_of_office=Person("Hj. RINA INDRIANI, ST",
                                                            "198203112005012017"),
                        head_of_division=Person("DEMO HJ. NOOR HIDAYAH, SE",
                                                "198005052005012005"),
                        office="Disdukcapil Kabupaten Tapin")
    text = config.DEFAULT.replace(config.tte_section(), config.tte_section(tte_values(pki)))
    assert text != config.DEFAULT
    (home / config.FILENAME).write_text(text, encoding="utf-8")
    tte = config.load(home).tte.resolved(home)
    assert tte.trust_roots == (pki.root_ca,) and tte.tsa_p12 == pki.tsa_p12

    make_draft(tmp_path / "draft.pdf")
    out = tmp_path / "08 kartu keluarga WNA.pdf"
    trust = settings.trust(tte)
    head = settings.head_of_office_sha256(tte)
    pades.sign_kk(tmp_path / "draft.pdf", out, p12=pki.head_of_office_p12,
                  passphrase=keys.read_passphrase(pki.passphrase_file), trust=trust,
                  timestamper=settings.timestamper(tte), block=BLOCK,
                  expected_signer_sha256=head)
    verdict = verify_pdf(out, trust, head)
    assert verdict.ok and verdict.details["level"] == "PAdES B-LTA"

    fields = SealFields("KKWNA-2026-0001", "6305041211260001", "JOHN SMITH", 2,
                        dt.date(2026, 11, 27), family_digest(FAMILY))
    qr = make_seal(fields, settings.seal_key(tte))
    assert open_seal(qr, settings.seal_certificate(tte)) == fields
    # outside a home the seal certificate is given as a file
    assert open_seal(qr, settings.seal_certificate(path=pki.seal_cert)) == fields


def test_relative_paths_resolve_against_the_home(tmp_path: Path) -> None:
    text = config.DEFAULT.replace(config.tte_section(), config.tte_section(
        {"trust_roots": ["tte/root.pem", "/etc/ca.pem"], "seal_cert": "tte/segel.pem",
         "tsa_url": "https://tsa.example.id/tsr"}))
    tte = _parse(text).tte.resolved(tmp_path)
    assert tte.trust_roots == (tmp_path / "tte/root.pem", Path("/etc/ca.pem"))
    assert tte.seal_cert == tmp_path / "tte/segel.pem"
    assert tte.tsa_url == "https://tsa.example.id/tsr" and tte.passphrase_file is None
