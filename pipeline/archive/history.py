"""riwayat.pdf, the case history filed in every archived case folder.

Every register event of the case: when (office time), the SOP step, the decision, who (name
and NIP) and the reason given or what was recorded (the person who collected the KK, where a
return sent the case). Replaces `documents.write_history`, which left out NIPs and reasons.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.domain import clock, sop
from pipeline.domain.actions import Action
from pipeline.domain.case import Case
from pipeline.office.config import Config, format_nip
from pipeline.office.home import Home
from pipeline.render import render
from pipeline.store.register import Register

HISTORY = "riwayat.pdf"
LAYOUT = "riwayat_kasus"
STATUS = {"intake": "sedang diterima", "open": "dalam proses",
          "returned": "dikembalikan kepada pemohon", "issued": "KK sudah terbit dan diserahkan",
          "cancelled": "dibatalkan"}


def _step_label(number: int) -> str:
    try:
        s = sop.step(number)
    except KeyError:
        return str(number)
    return f"{number}. {s.action} ({s.role.name})"


def describe(e: sqlite3.Row) -> str:
    """What an event's detail says, in words: the reason, the recipient, the next step."""
    detail: dict[str, Any] = json.loads(e["detail"] or "{}")
    parts = []
    reason = str(detail.get("catatan") or "").strip()
    if e["action"] == Action.RETURNED:
        target = detail.get("ke_langkah")
        where = (f"ke langkah {target}" if target else "kepada pemohon")
        parts.append(f"Dikembalikan {where}. Alasan: {reason or '(tidak diisi)'}")
    elif reason:
        parts.append(f"Catatan: {reason}")
    if detail.get("penerima_nama"):
        parts.append(f"Diterima oleh {detail['penerima_nama']}")
    if detail.get("kode_pengambilan"):
        parts.append(f"kode pengambilan {detail['kode_pengambilan']}")
    if detail.get("berkas"):
        parts.append(f"{len(detail['berkas'])} berkas dari {detail.get('sumber', '-')}")
    if detail.get("di_luar_jam_layanan"):
        parts.append("diterima di luar jam layanan")
    return "; ".join(parts) or "-"


def history_rows(cfg: Config, reg: Register, case: Case) -> list[dict[str, str]]:
    rows = []
    for e in reg.events(case.id):
        who = e["officer_name"] or "-"
        if e["officer_nip"]:
            who += f"\nNIP {format_nip(e['officer_nip'])}"
        rows.append({
            "waktu": clock.stamp(datetime.fromisoformat(e["at"]), cfg.tz),
            "langkah": _step_label(e["step"]),
            "keputusan": e["action"] + (f" (putaran {e['round']})" if e["round"] > 1 else ""),
            "petugas": who,
            "keterangan": describe(e),
        })
    return rows


def write_history(home: Home, cfg: Config, reg: Register, case: Case, out: Path,
                  extra_documents: dict[str, tuple[str, int]] | None = None) -> Path:
    """Draw the case's history to *out* (PDF/A-2b). *extra_documents*: name -> (sha256, size)
    of documents the filing adds or replaces that the register does not hold yet."""
    docs = {r["name"]: (r["sha256"], r["size"]) for r in reg.documents(case.id)}
    docs.update(extra_documents or {})
    data = {
        "office": cfg.office_data(), "kasus": case.id, "judul": case.title,
        "diterima": clock.stamp(case.received_at, cfg.tz),
        "tanggal": clock.long_date(clock.now(cfg.tz).date()),
        "status": STATUS.get(case.status, case.status),
        "riwayat": history_rows(cfg, reg, case),
        "dokumen": [{"nama": name, "sha256": sha, "ukuran": str(size)}
                    for name, (sha, size) in sorted(docs.items())],
    }
    return render.render(LAYOUT, data, out, mode="filed", case_id=case.id, step=case.step,
                         layout_dirs=home.layout_dirs)
