"""The web door's passwords: an argon2 hash per NIP in `state/sandi-web.json` (mode 0600),
never the password itself. `kkwna pengguna sandi NIP` sets one."""

from __future__ import annotations

import json
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pipeline.domain.errors import UserError
from pipeline.office.config import Config, only_digits
from pipeline.office.fsutil import atomic_write_text
from pipeline.office.home import Home

FILENAME = "sandi-web.json"
MIN_LENGTH = 10
_hasher = PasswordHasher()
# checked when the NIP has no password, so a wrong NIP takes as long as a wrong password
_NOBODY = _hasher.hash("tidak ada pengguna dengan NIP ini")


def _path(home: Home) -> Path:
    return home.state / FILENAME


def _load(home: Home) -> dict[str, str]:
    try:
        data = json.loads(_path(home).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        raise UserError(f"{_path(home)} rusak; atur ulang sandi dengan "
                        f"`kkwna pengguna sandi NIP`") from None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def has_password(home: Home, nip: str) -> bool:
    """Has the officer *nip* a web password (what `kkwna init` reminds the office of)?"""
    return only_digits(nip) in _load(home)


def set_password(home: Home, cfg: Config, nip: str, password: str) -> str:
    """Store *password*'s hash for the officer *nip* names; their name. Raises UserError
    for a NIP kkwna.toml does not list or a password too short."""
    officer = cfg.officer(nip)
    if officer is None:
        raise UserError(f"NIP {nip} tidak terdaftar sebagai petugas di kkwna.toml")
    if len(password) < MIN_LENGTH:
        raise UserError(f"sandi terlalu pendek (paling sedikit {MIN_LENGTH} karakter)")
    hashes = _load(home)
    hashes[officer.nip] = _hasher.hash(password)
    home.state.mkdir(parents=True, exist_ok=True)
    atomic_write_text(_path(home), json.dumps(hashes, indent=1, sort_keys=True) + "\n",
                      mode=0o600)
    return officer.nama


def check_password(home: Home, nip: str, password: str) -> bool:
    """Is *password* the one set for *nip*? (As slow for an unknown NIP as for a known.)"""
    stored = _load(home).get(only_digits(nip))
    try:
        return _hasher.verify(stored or _NOBODY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
