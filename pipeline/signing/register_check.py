"""Is this KK genuine, all things considered: its signature or seal (`verify`), then the
register. One judgement for both doors, `kkwna verify` and the web's `/verifikasi`, so a
card can never be ASLI at one and TIDAK ASLI at the other.

Three verdicts: ASLI (genuine and in force), DIGANTI (genuine, but a change case's new KK
replaced it: `Register.replacement_of`), TIDAK ASLI (anything else, a card the register
does not know included)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline import services
from pipeline.domain import sop
from pipeline.domain.case import Case
from pipeline.domain.errors import UserError
from pipeline.domain.family import holder
from pipeline.domain.model import Env
from pipeline.signing.verify import Verdict
from pipeline.store.register import Register

# what a genuine card's signature or seal vouches for, in the order shown, with its label
LABELS = {
    "pemegang": "Kepala keluarga",
    "no_kk": "No. KK",
    "register_no": "Nomor register",
    "jumlah_anggota": "Jumlah anggota",
    "tanggal_terbit": "Tanggal terbit",
    "digest_data_keluarga": "Sidik data keluarga",
    "penanda_tangan": "Penanda tangan",
    "kapasitas": "Sebagai",
    "waktu_tanda_tangan": "Waktu tanda tangan",
    "cap_waktu": "Cap waktu",
    "level": "Tingkat tanda tangan",
    "alamat_verifikasi": "Alamat verifikasi",
}
NOT_REGISTERED = "tidak terdaftar di register"
OFFICE_ZONE = ZoneInfo("Asia/Makassar")
# the verdicts as `Judged.status` and the JSON's "status" name them, and as they are printed
GENUINE, REPLACED, NOT_GENUINE = "asli", "diganti", "tidak_asli"
WORDS = {GENUINE: "ASLI", REPLACED: "DIGANTI", NOT_GENUINE: "TIDAK ASLI"}


def signature_step(service: str) -> int | None:
    """The number of the head of office's TTE in *service*'s table (None: it signs no KK).
    From the table, not pipeline.steps, which loads every step's drawing and signing code:
    `kkwna verify` only reads the register."""
    try:
        steps = services.get(service).steps
    except KeyError:  # a service this installation does not run vouches for no card
        return None
    return next((s.number for s in steps if s.kind is sop.Kind.SIGNATURE), None)


@dataclass(frozen=True)
class Judged:
    """ok: ASLI. reason: one Indonesian line (why genuine, or why not). details: what the
    signature or seal covers (empty for a refused card). pdf: judged as a PDF, not a photo."""

    ok: bool
    reason: str
    details: dict[str, str] = field(default_factory=dict)
    pdf: bool = True
    replaced: bool = False  # genuine, but replaced by a newer KK (then ok is False)

    @property
    def status(self) -> str:
        """"asli", "diganti" or "tidak_asli" (the JSON's "status")."""
        return GENUINE if self.ok else REPLACED if self.replaced else NOT_GENUINE

    @property
    def word(self) -> str:
        """What is printed first: ASLI, DIGANTI or TIDAK ASLI."""
        return WORDS[self.status]

    def shown(self) -> list[tuple[str, str]]:
        """The details as (label, value), in LABELS order."""
        return [(label, self.details[key]) for key, label in LABELS.items()
                if self.details.get(key)]


def is_pdf(path: Path) -> bool:
    with open(path, "rb") as fh:
        return b"%PDF-" in fh.read(1024)


def register_word(env: Env, details: dict[str, str]) -> tuple[str, str] | None:
    """The register's word against a genuine card, as (status, one Indonesian line), or None
    when it backs it. The case must be signed (open past its service's TTE step, or issued)
    with the same No. KK and head of family as the card: else TIDAK ASLI. A signed change
    of it makes it DIGANTI, naming the new KK's case and the day it was signed."""
    case_id = details.get("register_no", "")
    reg = Register(env.home.register_path)
    try:
        case = reg.find(case_id) if case_id else None
        why = _mismatch(case, case_id, details)
        if why is not None:
            return NOT_GENUINE, why
        replaced = reg.replacement_of(case_id)
    finally:
        reg.close()
    if replaced is None:
        return None
    new, at = replaced
    return REPLACED, replaced_line(new.id, at, env.cfg.tz)


def replaced_line(new_id: str, signed: datetime, tz: ZoneInfo) -> str:
    """"diganti oleh KK <case> tanggal DD-MM-YYYY ..." (the signature's day at the office)."""
    day = signed.astimezone(tz).strftime("%d-%m-%Y")
    return f"diganti oleh KK {new_id} tanggal {day}; kartu ini tidak berlaku lagi"


def _mismatch(case: Case | None, case_id: str, details: dict[str, str]) -> str | None:
    if case is None:
        return f"{case_id or 'kartu'} {NOT_REGISTERED}"
    tte = signature_step(case.service)
    signed = case.status == "issued" or (
        case.status == "open" and tte is not None and case.step > tte)
    if not signed:
        return f"{case_id} belum ditandatangani menurut register"
    family = case.data.get("keluarga", {})
    if details.get("no_kk") and str(family.get("no_kk", "")) != details["no_kk"]:
        return f"No. KK pada kartu berbeda dengan register {case_id}"
    head = holder(family) if family.get("anggota") else ""
    if details.get("pemegang") and head and head.casefold() != details["pemegang"].casefold():
        return f"kepala keluarga pada kartu berbeda dengan register {case_id}"
    return None


def card_verdict(env: Env | None, path: Path, trust_roots: tuple[Path, ...] = (),
                 seal_cert: Path | None = None) -> tuple[Verdict, bool]:
    """What the file at *path* says of itself: a PDF by its signature, anything else as a
    photo or scan by its QR seal; and whether it was taken as a PDF. Raises UserError (or
    SigningError) when there is nothing to check a PDF against."""
    from pipeline.signing import settings, signatories
    from pipeline.signing.keys import Trust
    from pipeline.signing.verify import verify_image, verify_pdf

    t = env.tte if env is not None else None
    pdf = is_pdf(path)
    if pdf:
        if trust_roots:
            trust = Trust.load(list(trust_roots), t.crls if t else ())
        elif t is not None:
            trust = settings.trust(t)
        else:
            raise UserError("di luar folder kantor beri --trust-root (sertifikat akar)")
        expected = signatories.keyed_by_fingerprint(env.cfg, t) \
            if env is not None and t is not None and t.head_of_office_cert else None
        zone = env.cfg.tz if env is not None else OFFICE_ZONE
        return verify_pdf(path, trust, expected, zone), True
    return verify_image(path, settings.seal_certificate(t, seal_cert)), False


def with_register(env: Env | None, verdict: Verdict, pdf: bool) -> Judged:
    """The card's own verdict, then (inside an office) the register's word on it."""
    if not verdict.ok:
        return Judged(False, verdict.reason, {}, pdf)
    word = register_word(env, verdict.details) if env is not None else None
    if word is not None:
        status, why = word
        return Judged(False, why, dict(verdict.details), pdf, replaced=status == REPLACED)
    return Judged(True, verdict.reason, dict(verdict.details), pdf)


def judge(env: Env | None, path: Path, trust_roots: tuple[Path, ...] = (),
          seal_cert: Path | None = None) -> Judged:
    """The verdict on the file at *path*, all things considered (see `card_verdict`)."""
    return with_register(env, *card_verdict(env, path, trust_roots, seal_cert))
