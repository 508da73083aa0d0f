"""Who may approve step 8 (the TTE), and whether a key is theirs.

`approver` is the one place that answers "may this NIP approve": the web door's login
and queue, and its returns, all ask it. The head of office and the acting heads (Plt.)
of `[tte]` may; whether a Plt. serves on the day is judged when they sign.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.domain.model import Env
from pipeline.office.config import Config, Officer
from pipeline.signing.keys import SigningError, fingerprint, load_signer


def approver(cfg: Config, nip: str) -> Officer | None:
    """The officer *nip* names if they may approve (sign or return) KKs at step 8: the
    head of office or an acting head of kkwna.toml."""
    from pipeline.office.config import only_digits
    from pipeline.signing.signatories import by_nip

    found = by_nip(cfg, cfg.tte, only_digits(nip))
    return found.as_officer() if found is not None else None


def check_head_key(env: Env, p12: Path, passphrase: bytes) -> None:
    """Stop before any case when the key cannot be opened (a wrong passphrase) or is no
    signatory's (the head's or a Plt.'s): every case would fail the same way. Raises
    SigningError. Whether it is the signatory a card names is judged per card."""
    from pipeline.signing import signatories

    signer = load_signer(p12, passphrase)
    if signatories.by_fingerprint(env.cfg, env.tte, fingerprint(signer.signing_cert)) is None:
        raise SigningError("sertifikat ini bukan sertifikat Kepala Dinas (atau Plt.) yang "
                           "terdaftar di kkwna.toml")
