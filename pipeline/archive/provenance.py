"""provenance.json: each filed case folder describes itself without kkwna.

A small PREMIS-like record (plain JSON, UTF-8) written at filing: the case's identifier,
its classification and retention as they stood at filing (`records`), every file of the
folder as an object with its SHA-256 and size, the people who acted (name, NIP, role) and
every register event as a PREMIS event: eventType, eventDateTime (ISO 8601 in office time,
+08:00 for WITA), eventDetail, outcome, the linked agent and the objects the step made.

It is listed in SHA256SUMS and recorded in the register like the other filed documents,
so `archive verify` checks it and a bag carries it. Keys follow PREMIS 3's semantic units
(objectIdentifier, fixity, eventType, linkingAgentIdentifier, ...) so an archivist can
map it onto a PREMIS XML without guessing; the words inside are Indonesian.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pipeline.archive.history as history
from pipeline import __version__
from pipeline.domain import sop
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.office.config import Config
from pipeline.office.config_archive import RecordsClass
from pipeline.office.fsutil import atomic_write_text, sha256_file
from pipeline.store.register import Register

PROVENANCE = "provenance.json"
FORMAT = "kkwna-provenance/1 (mirip PREMIS 3)"
SOFTWARE = f"kkwna {__version__}"
# events whose outcome is their own word; every other event "berhasil"
UNSUCCESSFUL = (Action.RETURNED, Action.CANCELLED)


def _role(cfg: Config, step: int, nip: str) -> str:
    """The officer's post as kkwna.toml names it, else the SOP step's role (an officer
    acting at the applicant's own step, the hand-over, is "Petugas")."""
    officer = cfg.officer(nip) if nip else None
    if officer is not None:
        return officer.jabatan
    try:
        role = sop.step(step).role
    except KeyError:
        return "Petugas"
    return role.name if role in sop.STAFF_ROLES else "Petugas"


def _agent(cfg: Config, e: sqlite3.Row) -> dict[str, str]:
    if e["officer_name"] or e["officer_nip"]:
        return {"role": _role(cfg, e["step"], e["officer_nip"]), "name": e["officer_name"],
                "nip": e["officer_nip"]}
    return {"role": "sistem", "name": SOFTWARE, "nip": ""}


def _event(cfg: Config, e: sqlite3.Row, linked: list[str]) -> dict[str, Any]:
    tz = cfg.tz
    return {
        "eventIdentifier": {"eventIdentifierType": "register kkwna (hash rantai)",
                            "eventIdentifierValue": e["hash"]},
        "eventType": e["action"],
        "eventDateTime": datetime.fromisoformat(e["at"]).astimezone(tz).isoformat(),
        "eventDetail": {"langkah": e["step"], "uraian": history.describe(e),
                        "putaran": e["round"]},
        "eventOutcomeInformation": {
            "eventOutcome": e["action"] if e["action"] in UNSUCCESSFUL else "berhasil"},
        "linkingAgentIdentifier": [_agent(cfg, e)],
        "linkingObjectIdentifier": linked,
    }


def build(cfg: Config, reg: Register, case: Case, folder: Path, *, filed_at: datetime,
          records: RecordsClass, made: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The record for *case* whose folder (being built) is *folder*. *made*: the files the
    filing itself writes (name -> what they are), linked to the filing event."""
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if p.is_file() and p.name not in (PROVENANCE, "SHA256SUMS")
                   and not p.name.startswith(".tmp-"))
    objects = [{
        "objectIdentifier": {"objectIdentifierType": "nama berkas dalam map kasus",
                             "objectIdentifierValue": name},
        "objectCategory": "file",
        "fixity": {"messageDigestAlgorithm": "SHA-256",
                   "messageDigest": sha256_file(folder / name)},
        "size": (folder / name).stat().st_size,
        "format": {"formatName": _format(name)},
    } for name in names]
    docs = reg.documents(case.id)
    events = reg.events(case.id)
    last_of_step = {e["step"]: e["id"] for e in events}
    linked: dict[int, list[str]] = {}
    for d in docs:
        if d["name"] in names and d["step"] in last_of_step:
            linked.setdefault(last_of_step[d["step"]], []).append(d["name"])
    made = dict(made or {})
    out_events = [_event(cfg, e, sorted(linked.get(e["id"], []))) for e in events]
    out_events.append({
        "eventIdentifier": {"eventIdentifierType": "register kkwna",
                            "eventIdentifierValue": f"{case.id}/{Action.FILED}"},
        "eventType": Action.FILED,
        "eventDateTime": filed_at.astimezone(cfg.tz).isoformat(),
        "eventDetail": {"langkah": case.step, "uraian": "berkas kasus diarsipkan ke odner; "
                        + "; ".join(f"{n}: {what}" for n, what in sorted(made.items())),
                        "klasifikasi": records.as_detail()},
        "eventOutcomeInformation": {"eventOutcome": "berhasil"},
        "linkingAgentIdentifier": [{"role": "sistem", "name": SOFTWARE, "nip": ""}],
        "linkingObjectIdentifier": sorted(set(made) | {PROVENANCE, "SHA256SUMS"}),
    })
    agents: dict[tuple[str, str], dict[str, Any]] = {}
    for ev in out_events:
        for a in ev["linkingAgentIdentifier"]:
            agents.setdefault((a["name"], a["nip"]), {
                "agentIdentifier": {"agentIdentifierType": "NIP" if a["nip"] else "perangkat "
                                    "lunak", "agentIdentifierValue": a["nip"] or a["name"]},
                "agentName": a["name"],
                "agentType": "orang" if a["nip"] else "perangkat lunak",
                "role": a["role"]})
    return {
        "format": FORMAT,
        "kasus": {"objectIdentifier": {"objectIdentifierType": "nomor register",
                                       "objectIdentifierValue": case.id},
                  "judul": case.title, "status": history.STATUS.get(case.status, case.status),
                  "kantor": f"{cfg.office.dinas} KABUPATEN {cfg.office.kabupaten}"},
        "klasifikasi": {**records.as_detail(),
                        "berlaku_sejak": filed_at.astimezone(cfg.tz).date().isoformat()},
        "objects": objects,
        "agents": sorted(agents.values(), key=lambda a: (a["agentType"], a["agentName"])),
        "events": out_events,
    }


def _format(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower()
    return {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg",
            "png": "image/png", "json": "application/json", "tif": "image/tiff",
            "tiff": "image/tiff"}.get(suffix, "application/octet-stream")


def write(path: Path, record: Mapping[str, Any]) -> None:
    atomic_write_text(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")


def read(folder: Path) -> dict[str, Any] | None:
    """The folder's record, or None when it has none (filed before kkwna wrote one)."""
    try:
        data: dict[str, Any] = json.loads((folder / PROVENANCE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def filing_of(record: Mapping[str, Any]) -> tuple[datetime, RecordsClass] | None:
    """The filing moment and the classification the record holds."""
    for ev in record.get("events", []):
        if ev.get("eventType") == Action.FILED:
            return (datetime.fromisoformat(ev["eventDateTime"]),
                    RecordsClass.from_detail(ev["eventDetail"]["klasifikasi"]))
    return None
