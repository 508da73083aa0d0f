"""`kkwna status`: where every open case stands against the SOP's standard times, and what
the watcher could not do (machine faults, register problems, held inbox folders: see
`pipeline.office.faults`). `as_json` gives the same for programs (`kkwna status --json`)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline import outbox, services
from pipeline.archive import audits as audits
from pipeline.domain import clock, model
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.domain.errors import UserError
from pipeline.office import faults, machine
from pipeline.office.config import Config
from pipeline.office.home import Home
from pipeline.store.register import Register


def waiting_minutes(cfg: Config, case: Case, now: datetime) -> float:
    """SOP minutes on the current step: service hours on working days only."""
    start = max(case.step_since, case.clock_start)
    return clock.service_minutes(cfg, start, now)


def returns(reg: Register, case: Case) -> int:
    return sum(1 for e in reg.events(case.id) if e["action"] == Action.RETURNED)


def standard_minutes(cfg: Config, case: Case) -> float:
    """The standard time of the case's step: KK WNA's as the office set it (`[sop.minutes]`
    in kkwna.toml), another service's from its own table."""
    service = services.of(case)
    if service is services.default() and case.step in cfg.minutes:
        return cfg.minutes[case.step]
    return service.step(case.step).minutes


def row(cfg: Config, reg: Register, case: Case, now: datetime) -> list[str]:
    step = services.of(case).step(case.step)  # what it waits for, from its own table
    waited = waiting_minutes(cfg, case, now)
    standard = standard_minutes(cfg, case)
    late = "TERLAMBAT" if waited > standard else ""
    rounds = max(case.rounds.values(), default=1)
    marks = " (di luar jam layanan)" if case.outside_hours else ""
    return [case.id, model.applicant_name(case) + marks, f"{case.step} {step.role.name}",
            step.waits_for, f"{waited:.1f}/{standard:g}", str(rounds), str(returns(reg, case)),
            late]


HEADER = ["KASUS", "PEMOHON", "LANGKAH", "MENUNGGU", "MENIT/STANDAR", "PUTARAN", "KEMBALI", ""]


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [HEADER, *rows]]
    return "\n".join(lines)


def render(cfg: Config, reg: Register, case_id: str | None = None) -> str:
    now = clock.now(cfg.tz)
    if case_id:
        case = reg.find(case_id.strip().upper())
        if case is None:
            raise UserError(f"kasus {case_id!r} tidak ada di register")
        lines = [f"{case.id}  {case.title}", _where(case),
                 f"layanan: {services.of(case).title}",
                 f"diterima: {clock.stamp(case.received_at, cfg.tz)}"
                 + (" (di luar jam layanan; jam SOP mulai "
                    f"{clock.stamp(case.clock_start, cfg.tz)})" if case.outside_hours else ""),
                 f"folder: {case.folder}", "", "riwayat:"]
        for e in reg.events(case.id):
            who = f" - {e['officer_name']}" if e["officer_name"] else ""
            rnd = f" (putaran {e['round']})" if e["round"] > 1 else ""
            lines.append(f"  {clock.stamp(datetime.fromisoformat(e['at']), cfg.tz)}  langkah "
                         f"{e['step']}: {e['action']}{rnd}{who}")
        if case.status == "open":
            lines += ["", table([row(cfg, reg, case, now)])]
        return "\n".join(lines)
    archived = audits.status_lines(reg, now)
    return overview(cfg, reg, now) + ("\n\n" + "\n".join(archived) if archived else "")


def _where(case: Case) -> str:
    """Where the case stands: the desk it waits on, or the binder it was filed in."""
    label = model.STATUS.get(case.status, case.status)
    if case.status == "open":
        step = services.of(case).step(case.step)
        return (f"status: {label}, langkah {case.step} ({step.role.name}), menunggu "
                f"{step.waits_for}")
    parts = case.folder.split("/")
    if len(parts) >= 4 and parts[0] == "archive":  # archive/<year>/odner-<NN>/<case>
        return f"status: selesai, {label}; diarsipkan di {parts[2]} tahun {parts[1]}"
    return f"status: {label}; belum diarsipkan ({case.folder})"


def overview(cfg: Config, reg: Register, now: datetime) -> str:
    """Open cases grouped by what they wait for, in SOP order, late ones marked; then the
    e-mails not sent yet (the watcher retries them) and those that could not be sent."""
    open_cases = reg.cases("open")
    if not open_cases:
        return "Tidak ada kasus terbuka."
    blocks = []
    for service in services.all():  # KK WNA first, each service's cases in its SOP order
        mine = [c for c in open_cases if c.service == service.code]
        named = "" if service is services.default() else f"{service.title}: "
        for step in service.steps:
            rows = [row(cfg, reg, c, now) for c in mine if c.step == step.number]
            if not rows:
                continue
            late = sum(1 for r in rows if r[-1])
            blocks += [f"{named}{step.waits_for}: langkah {step.number}, {step.role.name} "
                       f"({len(rows)} kasus{f', {late} TERLAMBAT' if late else ''})",
                       table(rows), ""]
    waiting = outbox.queued(reg)
    if waiting:
        blocks += ["E-MAIL KK BELUM TERKIRIM (dicoba lagi otomatis oleh kkwna watch):",
                   *[f"- {q.case_id}: ke {q.to}" for q in waiting], ""]
    failed = email_failures(reg)
    if failed:
        blocks += ["E-MAIL KK GAGAL DIKIRIM (KK tetap dicetak; kirim ulang secara manual):",
                   *[f"- {cid}: {why}" for cid, why in failed], ""]
    return "\n".join(blocks).rstrip()


def email_failures(reg: Register) -> list[tuple[str, str]]:
    """Open cases whose KK could not be e-mailed (step 9 recorded `gagal`), newest first;
    once the KK is handed over on paper the e-mail no longer matters."""
    found = []
    for r in reg.db.execute("SELECT e.case_id, e.detail FROM events e JOIN cases c"
                            " ON c.id = e.case_id WHERE c.status = 'open'"
                            " AND e.action = 'dicetak' ORDER BY e.id DESC"):
        detail = json.loads(r["detail"])
        if detail.get("email") == "gagal":
            found.append((r["case_id"], str(detail.get("email_catatan", "tidak terkirim"))))
    return found


def problems(home: Home, warnings: list[str] | None = None) -> str:
    """The watcher's faults and *warnings* (say, certificates about to expire), or ""
    when there are none."""
    lines = faults.load(home).lines() + list(warnings or [])
    if full := machine.status_line(home):  # seen now, even where no record could be written
        lines.insert(0, full)
    if not lines:
        return ""
    return "\n".join(["PERHATIAN:", *[f"- {line}" for line in lines]])


def as_json(cfg: Config, reg: Register, home: Home) -> dict[str, Any]:
    """Open cases and the watcher's faults, for programs."""
    now = clock.now(cfg.tz)
    cases = []
    for case in reg.cases("open"):
        waited = waiting_minutes(cfg, case, now)
        step, standard = services.of(case).step(case.step), standard_minutes(cfg, case)
        cases.append({
            "kasus": case.id, "layanan": case.service, "pemohon": case.title,
            "langkah": case.step, "peran": step.role.name, "menunggu": step.waits_for,
            "menit": round(waited, 1), "standar": standard, "terlambat": waited > standard,
            "putaran": max(case.rounds.values(), default=1), "kembali": returns(reg, case),
            "di_luar_jam_layanan": case.outside_hours,
        })
    return {"waktu": now.isoformat(timespec="seconds"), "kasus_terbuka": cases,
            "gangguan": _indonesian_keys(faults.load(home).as_json())}


# faults.json's own keys (kept for old files) as `status --json` shows them
_FAULT_KEYS = {"held": "ditahan", "waiting": "menunggu", "email": "surel"}


def _indonesian_keys(found: dict[str, Any]) -> dict[str, Any]:
    return {_FAULT_KEYS.get(k, k): v for k, v in found.items()}


def emblem_line(cfg: Config) -> str:
    """What `kkwna status` says about the final KK's Garuda Pancasila ("" when its file is
    there): without it the card prints a marked empty place (`pipeline.render.kk_garuda`)."""
    path = cfg.garuda_path()
    if not path:
        return ("lambang Garuda Pancasila pada KK belum diatur: taruh berkas PNG di folder "
                "kantor dan isi office.lambang_garuda di kkwna.toml")
    if not Path(path).is_file():
        return (f"lambang Garuda Pancasila pada KK tidak ditemukan: {path} (periksa "
                f"office.lambang_garuda di kkwna.toml)")
    return ""
