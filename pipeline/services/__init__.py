"""The services the office runs, by code: `get("kk-wna")`, `default()`, `all()`.

A service is a value (`Service`); each lives in a module of its own here (`kk_wna`,
`perubahan_data`). The register records each case's service and numbers cases per service
and year with its prefix. `register` adds one at run time (the test suite's toy service does).
"""

from __future__ import annotations

from pipeline.services import kk_wna, perubahan_data
from pipeline.services.base import Requirement, Service

DEFAULT = kk_wna.SERVICE.code  # what every case was before services existed

_SERVICES: dict[str, Service] = {s.code: s for s in (kk_wna.SERVICE, perubahan_data.SERVICE)}


def get(code: str) -> Service:
    found = _SERVICES.get(code)
    if found is None:
        raise KeyError(f"layanan {code!r} tidak dikenal (dikenal: {', '.join(_SERVICES)})")
    return found


def default() -> Service:
    return _SERVICES[DEFAULT]


def all() -> tuple[Service, ...]:  # noqa: A001 - the registry's own word, as get/default
    return tuple(_SERVICES.values())


def register(service: Service) -> None:
    """Add *service*; its code and its id prefix must be its own (two services sharing a
    prefix would number into each other's ids and folders)."""
    if service.code in _SERVICES:
        raise ValueError(f"layanan {service.code} sudah terdaftar")
    for other in _SERVICES.values():
        if other.prefix == service.prefix:
            raise ValueError(f"awalan nomor {service.prefix!r} sudah dipakai layanan "
                             f"{other.code}")
    _SERVICES[service.code] = service


def unregister(code: str) -> None:
    if code == DEFAULT:
        raise ValueError(f"layanan {code} tidak dapat dihapus")
    _SERVICES.pop(code, None)


__all__ = ["DEFAULT", "Requirement", "Service", "all", "default", "get", "register",
           "unregister"]
