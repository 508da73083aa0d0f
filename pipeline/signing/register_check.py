"""Is this KK genuine, all things considered: its signature or seal (`verify`), then the
register. One judgement for both doors, `kkwna verify` and the web's `/verifikasi`, so a
card can never be ASLI at one and TIDAK ASLI at the other."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline import sop
from pipeline.errors import UserError
from pipeline.family import holder
from pipeline.model import Env
from pipeline.register import Register
from pipeline.signing.verify import Verdict

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
# the head of office's TTE, from the SOP table (not pipeline.steps, which loads every
# step's drawing and signing code: `kkwna verify` only reads the register)
SIGNATURE_STEP = next(s.number for s in sop.STEPS if s.kind is sop.Kind.SIGNATURE)


@dataclass(frozen=True)
class Judged:
    """ok: ASLI. reason: one Indonesian line (why genuine, or why not). details: what the
    signature or seal covers (empty for a refused card). pdf: judged as a PDF, not a photo."""

    ok: bool
    reason: str
    details: dict[str, str] = field(default_factory=dict)
    pdf: bool = True

    def shown(self) -> list[tuple[str, str]]:
        """The details as (label, value), in LABELS order."""
        return [(label, self.details[key]) for key, label in LABELS.items()
                if self.details.get(key)]


def is_pdf(path: Path) -> bool:
    with open(path, "rb") as fh:
        return b"%PDF-" in fh.read(1024)


def register_says(env: Env, details: dict[str, str]) -> str | None:
    """Why the register does not back the card, or None: the case must be signed (open past
    step 8, or issued) with the same No. KK and head of family as the card."""
    case_id = details.get("register_no", "")
    reg = Register(env.home.register_path)
    try:
        case = reg.find(case_id) if case_id else None
    finally:
        reg.close()
    if case is None:
        return f"{case_id or 'kartu'} {NOT_REGISTERED}"
    signed = (case.status == "open" and case.step > SIGNATURE_STEP) or case.status == "issued"
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
    why = register_says(env, verdict.details) if env is not None else None
    if why is not None:
        return Judged(False, why, dict(verdict.details), pdf)
    return Judged(True, verdict.reason, dict(verdict.details), pdf)


def judge(env: Env | None, path: Path, trust_roots: tuple[Path, ...] = (),
          seal_cert: Path | None = None) -> Judged:
    """The verdict on the file at *path*, all things considered (see `card_verdict`)."""
    return with_register(env, *card_verdict(env, path, trust_roots, seal_cert))
