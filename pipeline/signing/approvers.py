"""Who may approve step 8 (the TTE), and whether a key is theirs.

`approver` is the one place that answers "may this NIP approve": the web door's login
and queue, and its returns, all ask it, so adding acting heads (Plt.) means changing this
function alone.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Config, Officer
from pipeline.model import Env
from pipeline.signing.keys import SigningError, fingerprint, load_signer


def approver(cfg: Config, nip: str) -> Officer | None:
    """The officer *nip* names if they may approve (sign or return) KKs at step 8: today
    the `[tte]` head of office of kkwna.toml only."""
    head = cfg.head_of_office()
    officer = cfg.officer(nip, head.role)
    return officer if officer is not None and officer.nip == head.nip else None


def check_head_key(env: Env, p12: Path, passphrase: bytes) -> None:
    """Stop before any case when the key cannot be opened (a wrong passphrase) or is not
    the head of office's: every case would fail the same way. Raises SigningError."""
    from pipeline.signing import settings

    signer = load_signer(p12, passphrase)
    expected = settings.head_of_office_sha256(env.tte)
    if fingerprint(signer.signing_cert) != expected.lower():
        raise SigningError("sertifikat ini bukan sertifikat Kepala Dinas yang terdaftar di "
                           "kkwna.toml")
