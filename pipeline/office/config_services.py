"""The services section of kkwna.toml: `[layanan.<code>]`, what the office says of a service
it runs that kkwna cannot know, its SOP's number and date (the change SOP is the office's
own; only the KK WNA SOP is in the published standard)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pipeline.office.config_schema import Problems, key, read


@dataclass(frozen=True)
class ServiceSop:
    layanan: str = field(metadata=key(skip=True))  # the service's code, its table's key
    nomor_sop: str | None = None  # "800/010-SOP/DUKCAPIL/2026"; None: not given
    tanggal_sop: date | None = None


def service_sops(raw: Any, problems: Problems) -> tuple[ServiceSop, ...]:
    """The [layanan.<code>] tables (none by default)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        problems.add("[layanan]", None, "harus tabel seperti [layanan.perubahan-data]")
        return ()
    return tuple(read(ServiceSop, table, f"[layanan.{code}]", problems,
                      given={"layanan": code}) for code, table in raw.items())
