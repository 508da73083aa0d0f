"""SOP steps 7 and 8: Adm SIAK submits the TTE request (the final KK, ready to be signed),
and the head of office signs it electronically.

Step 7 files `07 draf TTE KK.pdf`: the final card (`kk_final`) with the office's QR seal,
the head of office's block and one empty signature field, its Info dictionary naming the
case (`pades.mark_identity`, so `kkwna verify` finds it in the register).

Step 8's desk item is that draft with the hidden fields `kasus` and `langkah`. It is
approved in one of two ways, both recorded as the event `ditandatangani` by the head of
office, filing `08 kartu keluarga WNA.pdf`:

- `kkwna sign` (`Signature.sign_plan`): signed here with `pades.sign_kk`;
- signed in another application and saved back onto the desk (`take_desk_file`): the
  file must pass `check.check_signed_draft` against the draft kkwna placed (its SHA-256,
  recorded by `desks.place`), then gets the validation data (`pades.add_validation_data`);
  a refusal leaves `<name>.error.txt` beside it and the case where it is.

Without a `[tte]` section (a new office that has not been given its certificates yet)
step 7 still files the card: the QR code then carries only the case id and No. KK,
unsealed, and the desk item gets a note saying TTE is not configured. Signing stops with
the kkwna.toml entry to fill in. A configured but broken seal (say, a passphrase file
others can read) stops step 7 instead: a card must never be issued with an unsealed QR
code when a seal is configured.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pikepdf

from pipeline.desks import desk_pdf
from pipeline.domain import clock, family
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.domain.family import holder  # the name on the card and in its seal
from pipeline.domain.model import Doc, Env, Plan, Refused
from pipeline.office.config import Config, TteConfig
from pipeline.office.fsutil import atomic_write_text, sha256_file
from pipeline.render import documents, kk, kk_final
from pipeline.signing import pades, settings, signatories
from pipeline.signing.backends import Backend
from pipeline.signing.check import check_signed_draft
from pipeline.signing.keys import SigningError, load_certificate
from pipeline.signing.seal import SealFields, family_digest, make_seal
from pipeline.signing.signatories import Signatory
from pipeline.steps.base import Automatic, Executor, Handler
from pipeline.store.register import Register

NOT_CONFIGURED = ("TTE belum diatur: bagian [tte] di kkwna.toml masih kosong (untuk "
                  "demonstrasi: `kkwna init --demo`). Kartu ini belum dapat ditandatangani "
                  "secara elektronik dan kode QR-nya belum bersegel.")
SIGNED_HERE = "kkwna sign"
SIGNED_ELSEWHERE = "aplikasi lain"
SIGNED_ON_THE_WEB = "kkwna serve"


def tte_draft_name(case: Case) -> str:
    return str(case.data.get("draf_tte", ""))


def ca_name(t: TteConfig) -> str:
    """Who certified the head of office, as the card says: the demo root's name for a DEMO
    certificate, BSrE (the CA of government signatures) otherwise."""
    if t.head_of_office_cert is not None and t.head_of_office_cert.is_file():
        issuer = load_certificate(t.head_of_office_cert).issuer.native
        name = str(issuer.get("common_name", ""))
        if "DEMO" in name.upper():
            return name
    return kk.BSRE


def card_signer(cfg: Config, who: Signatory) -> kk_final.Signer:
    """The signatory as the card names them: "(PLT.) KEPALA DINAS ... KOTA X", and
    "DEMO <name>" for a demo head, as their certificate names them (`init --demo`)."""
    jabatan = f"{who.capacity} {cfg.office.wilayah}".upper()
    return kk_final.Signer(jabatan=jabatan, nama=card_name(cfg, who), nip=who.nip_display)


def card_name(cfg: Config, who: Signatory) -> str:
    """The signatory's name as the card and its visible signature print it."""
    if _is_demo(cfg, who) and "DEMO" not in who.nama.upper():
        return f"DEMO {who.nama}"
    return who.nama


def _is_demo(cfg: Config, who: Signatory) -> bool:
    """A demo officer in kkwna.toml, or a certificate the demo PKI made ("DEMO ...")."""
    officer = cfg.officer(who.nip)
    if officer is not None and officer.demo:
        return True
    if who.cert is None or not who.cert.is_file():
        return False
    try:
        subject = load_certificate(who.cert).subject.native
    except SigningError:
        return False
    return str(subject.get("common_name", "")).upper().startswith("DEMO ")


def request_name(case: Case, step: int) -> str:
    """One approval's name for retries (backends): the case and its round at step 8."""
    return f"{case.id}-r{case.round(step)}"


def signatory_of(env: Env, case: Case) -> Signatory:
    """Whom the case's card names as its signatory (step 7 chose; the head of office for
    a card drawn before acting heads were known)."""
    nip = str(case.data.get("penanda_tangan", ""))
    found = signatories.by_nip(env.cfg, env.tte, nip) if nip else None
    return found or signatories.all_signatories(env.cfg, env.tte)[0]


def seal_text(t: TteConfig, case: Case, keluarga: Mapping[str, Any], issued: date) -> str:
    """The QR text: the seal when a seal key is configured, else the bare case id and
    No. KK (see the module docstring)."""
    norm = family.normalise(keluarga, area=None)  # as step 4 stored it
    if t.seal_p12 is None:
        return f"KKWNA {case.id} NO.KK {norm['no_kk']}"
    fields = SealFields(register_no=case.id, no_kk=str(norm["no_kk"]),
                        kepala_keluarga=holder(keluarga),
                        jumlah_anggota=len(norm["anggota"]), tanggal_terbit=issued,
                        family_digest=family_digest(keluarga))
    return make_seal(fields, settings.seal_key(t))


class TteRequest(Automatic):
    """Step 7: the final KK, without the KONSEP mark, filed and put before the head."""

    action = Action.SUBMITTED

    def run(self, env: Env, reg: Register, case: Case, taken: set[str]) -> Plan:
        number = self.step.number
        name = documents.numbered(number, self.step.document or "", taken)
        keluarga, office = case.data["keluarga"], env.cfg.office_data()
        now = clock.now(env.cfg.tz)
        t = env.tte
        text = seal_text(t, case, keluarga, now.date())  # a broken seal stops here
        who = signatories.serving_on(env.cfg, t, now.date())
        signer, ca = card_signer(env.cfg, who), ca_name(t)
        no_kk = str(family.normalise(keluarga, area=None)["no_kk"])
        name_of_holder = holder(keluarga)

        def write(path: Path) -> None:
            kk_final.render_final_kk(keluarga, path, office=office, case_id=case.id,
                                     issued=now.date(), seal_text=text, signer=signer,
                                     ca_name=ca)
            pades.mark_identity(path, path, case_id=case.id, no_kk=no_kk,
                                holder=name_of_holder)
        nxt = self.service.after(number)
        return Plan(step=number, action=self.action, at=now, round=case.round(number),
                    status="open", next_step=nxt.number if nxt else None,
                    officer=self.acting_officer(env, reg, case),
                    record={"draf_tte": name, "penanda_tangan": who.nip},
                    documents=[Doc(name, write)],
                    detail={"dokumen": name, "segel": t.seal_p12 is not None,
                            "tte_diatur": t.configured})


class Signature(Handler):
    """Step 8: the head of office's TTE. Its desk item is the draft to be signed."""

    def draw_form(self, env: Env, case: Case, extra: Mapping[str, Any], path: Path) -> Path:
        draft = env.home.root / case.folder / tte_draft_name(case)
        desk_pdf.with_case_fields(draft, path, case.id, self.step.number)
        # the desk's usual note file (`desks.error_path`; not imported: desks imports us)
        note = path.with_name(path.name + ".error.txt")
        if env.tte.configured:
            note.unlink(missing_ok=True)
        else:
            atomic_write_text(note, f"Catatan untuk '{path.name}':\n\n- {NOT_CONFIGURED}\n")
        return path

    # --- signed here: `kkwna sign` --------------------------------------------------------

    def pristine_desk_item(self, env: Env, case: Case) -> Path | None:
        """The desk item exactly as kkwna placed it (under any name), if it still lies
        there."""
        placed = case.data.get("placed", {}).get(str(self.step.number))
        desk = env.home.desk(self.step)
        # the case's own name first: `sign --all` would otherwise hash the whole desk again
        # for every card whose item sorts late
        found = sorted(desk.glob("*.pdf"), key=lambda p: (not p.name.startswith(case.id), p)) \
            if placed and desk.is_dir() else []
        for path in found:
            if path.is_file() and not path.is_symlink() and sha256_file(path) == placed:
                return path
        return None

    def sign_plan(self, env: Env, case: Case, *, backend: Backend, taken: set[str],
                  how: str = SIGNED_HERE) -> Plan:
        """The plan of signing the case's draft through *backend* now (*how*: which door,
        for the event). The signature is made when the plan's document is written;
        SigningError (one Indonesian line) if the signer is not the card's signatory, is
        not serving today, or the signature does not validate."""
        cfg, who = env.cfg, signatory_of(env, case)
        today = clock.now(cfg.tz).date()
        if not who.serves_on(today):
            raise SigningError(who.not_serving(today))
        block = pades.SignatureBlock(
            nama=card_name(cfg, who), nip=who.nip_display, jabatan=who.capacity, tz=cfg.tz,
            lokasi=f"{cfg.office.kota}, {cfg.office.wilayah}")

        def write(out: Path) -> None:
            source = self.pristine_desk_item(env, case)
            fresh = out.with_name(f".draf-{out.name}")
            try:
                if source is None:  # moved or changed on the desk: the same draft again
                    source = self._fresh_desk_item(env, case, fresh)
                backend.sign(source, out, signatory=who, block=block,
                             request=request_name(case, self.step.number))
            finally:
                fresh.unlink(missing_ok=True)
        return self.signed_plan(env, case, taken, write, how)

    def _fresh_desk_item(self, env: Env, case: Case, out: Path) -> Path:
        draft = env.home.root / case.folder / tte_draft_name(case)
        try:
            return desk_pdf.with_case_fields(draft, out, case.id, self.step.number)
        except (pikepdf.PdfError, OSError):
            raise SigningError(f"draf TTE {draft.name} rusak atau hilang; kasus ini perlu "
                               f"diperiksa petugas") from None

    def signed_plan(self, env: Env, case: Case, taken: set[str],
                    write: Callable[[Path], object], how: str,
                    source_sha256: str = "") -> Plan:
        """Step 8 recorded: the signed card filed, the head of office as the officer."""
        number = self.step.number
        name = documents.numbered(number, self.step.document or "", taken)
        nxt = self.service.after(number)
        return Plan(step=number, action=Action.SIGNED, at=clock.now(env.cfg.tz),
                    round=case.round(number), status="open",
                    next_step=nxt.number if nxt else None,
                    officer=signatory_of(env, case).as_officer(), record={"kk_ttd": name},
                    documents=[Doc(name, write)], detail={"dokumen": name, "cara": how},
                    source_sha256=source_sha256)

    # --- signed elsewhere: the desk file saved back ---------------------------------------

    def take_desk_file(self, env: Env, reg: Register, case: Case, path: Path, digest: str,
                       carry_out: Executor) -> str:
        """The desk file signed elsewhere: recorded when every check passes, else Refused
        naming the failed checks (the caller writes them beside the file)."""
        t, who = env.tte, signatory_of(env, case)
        placed = str(case.data.get("placed", {}).get(str(self.step.number), ""))
        today = clock.now(env.cfg.tz).date()
        try:
            trust = settings.trust(t)
            problems = check_signed_draft(path, draft_sha256=placed, trust=trust,
                                          head_of_office_sha256=signatories.fingerprint_of(who))
            timestamper = settings.timestamper(t)
        except SigningError as exc:
            raise Refused([str(exc)]) from None
        if not problems and not who.serves_on(today):
            problems = [who.not_serving(today)]
        if problems:
            raise Refused(problems)

        def write(out: Path) -> None:
            pades.add_validation_data(path, out, trust=trust, timestamper=timestamper)
        taken = {row["name"] for row in reg.documents(case.id)}
        try:
            carry_out(env, reg, case, self.signed_plan(env, case, taken, write,
                                                       SIGNED_ELSEWHERE, digest))
        except SigningError as exc:  # validation data or the timestamp could not be added
            raise Refused([str(exc)]) from None
        return "signed"
