"""The services the office runs, by code: `get("kk-wna")`, `default()`, `all()`.

A service is a value (`Service`); each lives in a module of its own here (`kk_wna`,
`perubahan_data`). The register records each case's service and numbers cases per service
and year with its prefix. `register` adds one at run time (the test suite's toy service does).
"""

from __future__ import annotations

from typing import Protocol

from pipeline.services import kk_wna, perubahan_data
from pipeline.services.base import Requirement, Service

DEFAULT = kk_wna.SERVICE.code  # what every case was before services existed

_SERVICES: dict[str, Service] = {s.code: s for s in (kk_wna.SERVICE, perubahan_data.SERVICE)}


def get(code: str) -> Service:
    found = _SERVICES.get(code)
    if found is None:
        raise KeyError(f"layanan {code!r} tidak dikenal (dikenal: {', '.join(_SERVICES)})")
    return found


class HasService(Protocol):
    @property
    def service(self) -> str: ...


def of(case: HasService) -> Service:
    """The service of *case* (anything with a `service` code: a register's `Case`)."""
    return get(case.service)


def of_id(case_id: str) -> Service:
    """The service whose prefix starts *case_id* ("KKWNA-2026-0001" -> KK WNA): a desk
    form's name and hidden field carry the id, whose prefix tells the service."""
    prefix = case_id.strip().upper().split("-", 1)[0]
    found = next((s for s in _SERVICES.values() if s.prefix == prefix), None)
    if found is None:
        raise KeyError(f"nomor kasus {case_id!r} bukan milik layanan yang dikenal")
    return found


def by_inbox(folder: str) -> Service | None:
    """The service whose inbox is the top-level folder *folder*, or None."""
    return next((s for s in _SERVICES.values() if s.inbox == folder), None)


def inboxes() -> tuple[str, ...]:
    """Every registered service's inbox folder, KK WNA's ("inbox") first."""
    return tuple(s.inbox for s in _SERVICES.values())


def desks() -> list[str]:
    """Every desk folder of every registered service, once each, in table order (services
    share desk folders: the same roles sit at the same desks)."""
    return list(dict.fromkeys(d for s in _SERVICES.values() for d in s.desks()))


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
        if other.inbox == service.inbox:
            raise ValueError(f"folder {service.inbox}/ sudah dipakai layanan {other.code}: "
                             f"setiap layanan punya folder inbox sendiri")
    _SERVICES[service.code] = service


def unregister(code: str) -> None:
    if code == DEFAULT:
        raise ValueError(f"layanan {code} tidak dapat dihapus")
    _SERVICES.pop(code, None)


__all__ = ["DEFAULT", "HasService", "Requirement", "Service", "all", "by_inbox", "default",
           "desks", "get", "inboxes", "of", "of_id", "register", "unregister"]
