"""DIGANTI (issue 17): a genuine card whose case a later case changed, once that case's new KK
is signed, is refused by `kkwna verify` (its PDF and a photo of it) naming the new KK's case
and the day it was signed; the new card is ASLI; a card the register does not know stays
TIDAK ASLI. Real cards: the demo office's two cases signed with `kkwna sign`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli
from pipeline.domain.actions import Action
from pipeline.domain.model import Env
from pipeline.office import config
from pipeline.office import home as homes
from pipeline.signing.register_check import Judged, register_word, with_register
from pipeline.signing.verify import Verdict
from pipeline.store.register import Register
from tests.qrread import render_page

SIGNED = "08 kartu keluarga WNA.pdf"
LATER = "2026-11-25T10:15:00+08:00"  # the change's TTE, two days after the first card's


def _kkwna(home: homes.Home, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--home", str(home.root), *args])


def _sign(home: homes.Home, cid: str) -> Path:
    pki = home.state / "demo-pki"
    done = _kkwna(home, "sign", cid, "--p12", str(pki / "demo-kepala-dinas.p12"),
                  "--passphrase-file", str(pki / "passphrase.txt"))
    assert done.exit_code == 0, done.output
    reg = Register(home.register_path)
    try:
        return home.root / reg.get(cid).folder / SIGNED
    finally:
        reg.close()


def link(home: homes.Home, new: str, old: str) -> None:
    """What the change service's verification records: case *new* changes *old*'s KK."""
    reg = Register(home.register_path)
    try:
        at = reg.get(new).step_since
        with reg.transaction() as db:
            reg.set_replaces(db, new, old)
            reg.add_event(db, new, at=at, step=3, action=Action.APPROVED,
                          detail={"mengganti": old})
    finally:
        reg.close()


@pytest.fixture
def replaced(demo_at, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """John's card signed and photographed, then Jane's case linked to it and signed later:
    (home, John's id, Jane's id, John's PDF, its photo, Jane's PDF)."""
    home, ids = demo_at(8)
    john, jane = ids["JOHN SMITH"], ids["JANE DOE"]
    old_pdf = _sign(home, john)
    photo = tmp_path / "foto KK lama.png"
    render_page(old_pdf, dpi=200, forms=True).save(photo)
    assert _kkwna(home, "verify", str(old_pdf)).exit_code == 0  # ASLI before the change
    link(home, jane, john)
    assert _kkwna(home, "verify", str(old_pdf)).exit_code == 0  # still, until it is signed
    monkeypatch.setenv("KKWNA_NOW", LATER)
    new_pdf = _sign(home, jane)
    return home, john, jane, old_pdf, photo, new_pdf


def test_the_old_card_and_its_photo_are_diganti_the_new_one_asli(replaced) -> None:
    home, john, jane, old_pdf, photo, new_pdf = replaced
    expected = f"DIGANTI: diganti oleh KK {jane} tanggal 25-11-2026; kartu ini tidak berlaku lagi"
    for card in (old_pdf, photo):
        result = _kkwna(home, "verify", str(card))
        assert result.exit_code == 1, result.output
        assert result.output.splitlines()[0] == expected
        assert f"Nomor register: {john}" in result.output  # what the old card itself says
    new = _kkwna(home, "verify", str(new_pdf))
    assert new.exit_code == 0 and new.output.startswith("ASLI:"), new.output
    assert f"Nomor register: {jane}" in new.output
    reg = Register(home.register_path)
    try:
        assert reg.verify_chain() == []
    finally:
        reg.close()


def test_one_judgement_gives_three_states(replaced) -> None:
    home, john, jane, *_ = replaced
    env = Env(home, config.load(home.root))
    card = {"register_no": john, "no_kk": "", "pemegang": ""}
    word = register_word(env, card)
    assert word is not None and word[0] == "diganti" and jane in word[1]
    assert register_word(env, {**card, "register_no": jane}) is None
    unknown = register_word(env, {**card, "register_no": "KKWNA-2026-0099"})
    assert unknown == ("tidak_asli", "KKWNA-2026-0099 tidak terdaftar di register")

    def judged(cid: str) -> Judged:
        return with_register(env, Verdict(True, "segel cocok", {"register_no": cid}), False)

    states = {cid: (judged(cid).ok, judged(cid).status, judged(cid).word)
              for cid in (john, jane, "KKWNA-2026-0099")}
    assert states == {john: (False, "diganti", "DIGANTI"), jane: (True, "asli", "ASLI"),
                      "KKWNA-2026-0099": (False, "tidak_asli", "TIDAK ASLI")}
    forged = with_register(env, Verdict(False, "tanda tangan rusak", {}), True)
    assert (forged.status, forged.word) == ("tidak_asli", "TIDAK ASLI")
