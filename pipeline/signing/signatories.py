"""Who may sign a KK: the head of office, or an acting head (Plt.) within their mandate.

Both are recognised by their certificate's fingerprint, never by a name in it. A card
names its signatory at step 7 (whoever serves on the day it is drawn) and only that
signatory may sign it, on a day they serve; `verify` judges an acting head's signature
by the date it was made (its timestamp when it has one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline.office.config import Config, Officer, TteConfig

HEAD_TITLE = "Kepala Dinas Kependudukan dan Pencatatan Sipil"


@dataclass(frozen=True)
class Signatory:
    nama: str
    nip: str  # digits only
    jabatan: str  # the head's title, as kkwna.toml gives it
    cert: Path | None
    nik: str = ""
    acting: bool = False
    mulai: date | None = None
    sampai: date | None = None

    @property
    def capacity(self) -> str:
        """In which capacity they sign: "Kepala Dinas ..." or "Plt. Kepala Dinas ..."."""
        return f"Plt. {self.jabatan}" if self.acting else self.jabatan

    @property
    def nip_display(self) -> str:
        n = self.nip
        return f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}" if len(n) == 18 else n

    def serves_on(self, day: date) -> bool:
        if not self.acting:
            return True
        assert self.mulai is not None and self.sampai is not None
        return self.mulai <= day <= self.sampai

    def not_serving(self, day: date) -> str:
        """One Indonesian line: why they may not sign on *day*."""
        return (f"{self.nama} menjabat Plt. hanya {self.mulai:%d-%m-%Y} s.d. "
                f"{self.sampai:%d-%m-%Y}; tanda tangan tanggal {day:%d-%m-%Y} ditolak")

    def as_officer(self) -> Officer:
        return Officer(role="kepala_dinas", nama=self.nama, nip=self.nip,
                       jabatan=self.capacity)


def all_signatories(cfg: Config, t: TteConfig) -> list[Signatory]:
    """The head of office first, then the acting heads in kkwna.toml's order (*t*: the
    `[tte]` section resolved against the home, `Env.tte`)."""
    head = cfg.head_of_office()
    found = [Signatory(nama=head.nama, nip=head.nip, jabatan=head.jabatan or HEAD_TITLE,
                       cert=t.head_of_office_cert, nik=t.head_nik)]
    found += [Signatory(nama=a.nama, nip=a.nip, jabatan=head.jabatan or HEAD_TITLE,
                        cert=a.cert, nik=a.nik, acting=True, mulai=a.mulai, sampai=a.sampai)
              for a in t.plt]
    return found


def serving_on(cfg: Config, t: TteConfig, day: date) -> Signatory:
    """Who signs the cards drawn on *day*: an acting head whose mandate covers it, else
    the head of office."""
    everyone = all_signatories(cfg, t)
    return next((s for s in everyone[1:] if s.serves_on(day)), everyone[0])


def by_nip(cfg: Config, t: TteConfig, nip: str) -> Signatory | None:
    return next((s for s in all_signatories(cfg, t) if s.nip == nip), None)


def fingerprint_of(s: Signatory) -> str:
    from pipeline.signing.keys import SigningError, fingerprint, load_certificate

    if s.cert is None:
        raise SigningError("kkwna.toml: tte.head_of_office_cert belum diisi")
    return fingerprint(load_certificate(s.cert))


def by_fingerprint(cfg: Config, t: TteConfig, sha256: str) -> Signatory | None:
    return keyed_by_fingerprint(cfg, t).get(sha256.lower())


def keyed_by_fingerprint(cfg: Config, t: TteConfig) -> dict[str, Signatory]:
    """Every signatory whose certificate is configured, by its fingerprint (what
    `verify_pdf` takes); SigningError when the head's is not."""
    everyone = all_signatories(cfg, t)
    keyed = {fingerprint_of(everyone[0]): everyone[0]}
    keyed.update({fingerprint_of(s): s for s in everyone[1:]})
    return keyed
