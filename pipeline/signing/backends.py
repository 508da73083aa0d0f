"""Step 8's signature, whoever makes it: one interface, two backends (`[tte] backend`).

- `P12Backend`: the head's PKCS#12 file on this PC (demo and offline offices); pyHanko
  signs here with kkwna's visible block, B-LTA with a timestamp authority.
- `BsreBackend`: the national TTE service signs for the signer's NIK and passphrase. Its
  answer is judged exactly as a card signed in another application (`check_signed_draft`:
  the configured signer, the placed draft as the base revision, nothing after but
  validation data), then kkwna adds the validation data and the document timestamp.

The first answer the service gives for a request (case, round, draft) is kept in
``state/tte/`` until the step is recorded: a retry after a crash or a lost commit uses
it instead of asking again, so one approval never yields two signed cards; the request
also carries an idempotency key for a service that honours one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pyhanko.sign import signers
from pyhanko.sign.timestamps import TimeStamper

from pipeline.office.config import TteConfig
from pipeline.office.fsutil import atomic_write_bytes
from pipeline.signing import pades, settings
from pipeline.signing.bsre import Service
from pipeline.signing.check import check_signed_draft
from pipeline.signing.keys import SigningError, Trust, fingerprint, load_signer
from pipeline.signing.signatories import Signatory, fingerprint_of


class Backend(Protocol):
    def sign(self, source: Path, out: Path, *, signatory: Signatory,
             block: pades.SignatureBlock, request: str) -> None:
        """Sign the draft *source* as *signatory* into *out* (B-LT or B-LTA); *request*
        names this approval (case and round) for retries. SigningError on refusal."""

    def forget(self, request: str) -> None:
        """The step of *request* is recorded: whatever was kept for a retry is spent."""


@dataclass
class P12Backend:
    """Signs with the head's p12 here. One backend serves a whole `sign --all` batch (or
    one web request): the key, the trust roots and CRLs and the timestamp client are
    opened on the first card and kept for the others."""

    tte: TteConfig
    p12: Path
    passphrase: bytes
    _held: tuple[signers.SimpleSigner, Trust, TimeStamper | None] | None = field(
        default=None, init=False, repr=False)

    def opened(self) -> tuple[signers.SimpleSigner, Trust, TimeStamper | None]:
        """The signer, the trust and the timestamper, opened once for this backend."""
        if self._held is None:
            self._held = (load_signer(self.p12, self.passphrase), settings.trust(self.tte),
                          settings.timestamper(self.tte))
        return self._held

    def sign(self, source: Path, out: Path, *, signatory: Signatory,
             block: pades.SignatureBlock, request: str) -> None:
        expected = fingerprint_of(signatory)
        signer, trust, timestamper = self.opened()
        if fingerprint(signer.signing_cert) != expected:
            raise SigningError(f"KK ini disiapkan untuk ditandatangani {signatory.capacity} "
                               f"{signatory.nama}; sertifikat ini bukan miliknya")
        pades.sign_kk(source, out, p12=self.p12, passphrase=self.passphrase, signer=signer,
                      trust=trust, timestamper=timestamper, block=block,
                      expected_signer_sha256=expected)

    def forget(self, request: str) -> None:
        """Nothing is kept: the signature is made here, in one go."""


@dataclass
class BsreBackend:
    tte: TteConfig
    passphrase: bytes
    answers: Path  # state/tte: the first answer per request, until recorded

    def service(self) -> Service:
        return Service(self.tte.bsre_url, self.tte.bsre_timeout, self.tte.bsre_auth_file)

    def answer_path(self, request: str, draft_sha256: str) -> Path:
        return self.answers / f"{request}-{draft_sha256[:16]}.pdf"

    def sign(self, source: Path, out: Path, *, signatory: Signatory,
             block: pades.SignatureBlock, request: str) -> None:
        if not signatory.nik:
            raise SigningError(f"NIK {signatory.nama} untuk layanan TTE belum diisi di "
                               f"kkwna.toml (tte.head_nik atau tte.plt.nik)")
        data = source.read_bytes()
        draft_sha256 = hashlib.sha256(data).hexdigest()
        kept = self.answer_path(request, draft_sha256)
        trust, expected = settings.trust(self.tte), fingerprint_of(signatory)
        if not kept.is_file() or check_signed_draft(
                kept, draft_sha256=draft_sha256, trust=trust, head_of_office_sha256=expected):
            signed = self.service().sign_pdf(data, nik=signatory.nik,
                                             passphrase=self.passphrase,
                                             key=f"{request}-{draft_sha256[:16]}")
            atomic_write_bytes(kept, signed)  # kept before judged: never asked for twice
            problems = check_signed_draft(kept, draft_sha256=draft_sha256, trust=trust,
                                          head_of_office_sha256=expected)
            if problems:
                kept.unlink(missing_ok=True)
                raise SigningError(f"KK dari layanan TTE ditolak: {problems[0]}")
        pades.add_validation_data(kept, out, trust=trust,
                                  timestamper=settings.timestamper(self.tte))

    def forget(self, request: str) -> None:
        """The step is recorded: the kept answers of *request* are not needed."""
        for path in self.answers.glob(f"{request}-*.pdf"):
            path.unlink(missing_ok=True)


def backend_for(tte: TteConfig, state: Path, *, passphrase: bytes,
                p12: Path | None = None) -> P12Backend | BsreBackend:
    """The configured backend; the p12 one needs *p12* (`kkwna sign --p12`)."""
    if tte.backend == "bsre":
        return BsreBackend(tte, passphrase, state / "tte")
    if p12 is None:
        raise SigningError("beri --p12 (berkas sertifikat Kepala Dinas); kkwna.toml memakai "
                           "tte.backend = \"p12\"")
    return P12Backend(tte, p12, passphrase)
