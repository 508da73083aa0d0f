"""`kkwna sign --all` does its per-batch work once per batch, not once per card.

The head's key, the TSA key, the trust roots and CRLs are opened once for the whole run,
and a private key is parsed once (pyHanko's own signers parse their DER key again for
every signature: five times per B-LTA card with the in-process TSA). The cards signed
this way are genuine B-LTA cards all the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from pipeline.cli import cli
from pipeline.office import config
from pipeline.office import home as homes
from pipeline.signing import keys, settings
from pipeline.store.register import Register

SIGNED = "08 kartu keluarga WNA.pdf"


def _counting(counts: Counter[str], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return fn(*args, **kwargs)
    return wrapper


def _signed_cards(home: homes.Home) -> list[Path]:
    reg = Register(home.register_path)
    try:
        return [home.root / c.folder / SIGNED for c in reg.cases("open")]
    finally:
        reg.close()


def test_sign_all_opens_keys_trust_and_tsa_once_per_batch(
        demo_at: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    home, ids = demo_at(8)
    assert len(ids) == 2  # two cards: anything done per card shows as two
    keys.forget_opened_keys()  # another test in this process may have opened them
    counts: Counter[str] = Counter()
    monkeypatch.setattr(keys, "_read_p12", _counting(counts, "p12", keys._read_p12))
    monkeypatch.setattr(keys.Trust, "load", classmethod(
        _counting(counts, "trust", keys.Trust.load.__func__)))  # type: ignore[attr-defined]
    monkeypatch.setattr(settings, "read_passphrase",
                        _counting(counts, "tsa passphrase", settings.read_passphrase))
    monkeypatch.setattr(serialization, "load_der_private_key",
                        _counting(counts, "key parsed", serialization.load_der_private_key))
    pki = home.state / "demo-pki"
    result = CliRunner().invoke(cli, [
        "--home", str(home.root), "sign", "--all", "--p12", str(pki / "demo-kepala-dinas.p12"),
        "--passphrase-file", str(pki / "passphrase.txt")])
    assert result.exit_code == 0, result.output
    assert "2 KK ditandatangani, 0 gagal" in result.output
    # the head's p12 and the TSA's, each opened once
    assert counts["p12"] == 2, counts
    assert counts["trust"] == 1, counts
    assert counts["tsa passphrase"] <= 1, counts
    # the keys opened from the p12 files are used as they are, never parsed again
    assert counts["key parsed"] == 0, counts
    keys.forget_opened_keys()

    trust = config.load(home.root).tte.resolved(home.root).trust_roots
    assert trust
    for card in _signed_cards(home):
        said = CliRunner().invoke(cli, ["--home", str(home.root), "verify", str(card)])
        assert said.exit_code == 0, said.output
        assert "ASLI" in said.output and "PAdES B-LTA" in said.output, said.output
