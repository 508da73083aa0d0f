"""Certificates about to expire, for `kkwna status`: the head of office's and each acting
head's, the seal's and the in-process timestamp authority's (a remote authority's
certificate is not known before it answers). A card signed with an expired certificate is
refused anyway (`pades.sign_kk`, `check_signed_draft`); this gives the office the month
it needs to renew one with its CA."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from pipeline.domain.errors import KkwnaError
from pipeline.domain.model import Env

WARN_DAYS = 30


def _named_certificates(env: Env) -> list[tuple[str, Path]]:
    from pipeline.signing.signatories import all_signatories

    t = env.tte
    found = [(f"{s.capacity} {s.nama}", s.cert) for s in all_signatories(env.cfg, t)
             if s.cert is not None]
    if t.seal_cert is not None:
        found.append(("segel elektronik", t.seal_cert))
    return [(label, path) for label, path in found if path is not None]


def warnings(env: Env, now: datetime) -> list[str]:
    """One Indonesian line per certificate expired or expiring within WARN_DAYS."""
    if not env.tte.configured:
        return []
    from pipeline.signing.keys import load_certificate, load_signer, read_passphrase

    ends: list[tuple[str, datetime]] = []
    for label, path in _named_certificates(env):
        try:
            ends.append((label, load_certificate(path).not_valid_after))
        except KkwnaError as exc:
            return [f"sertifikat {label} tidak dapat dibaca: {exc}"]
    t = env.tte
    if t.tsa_p12 is not None and t.passphrase_file is not None:
        try:
            cert = load_signer(t.tsa_p12, read_passphrase(t.passphrase_file)).signing_cert
            if cert is not None:
                ends.append(("otoritas cap waktu", cert.not_valid_after))
        except KkwnaError as exc:
            return [f"sertifikat otoritas cap waktu tidak dapat dibaca: {exc}"]
    lines = []
    for label, end in ends:
        local = end.astimezone(env.cfg.tz)
        if end <= now:
            lines.append(f"sertifikat {label} kedaluwarsa sejak {local:%d-%m-%Y}; "
                         f"tanda tangan dengannya ditolak")
        elif end - now <= timedelta(days=WARN_DAYS):
            lines.append(f"sertifikat {label} berakhir {local:%d-%m-%Y} "
                         f"({(end - now).days} hari lagi); minta sertifikat baru")
    return lines
