"""Signed checkpoints of the register's chain: the head, signed with the office seal key.

The chain log proves the register was not rewritten only to someone who has not rewritten
the log too, and both are files on the office PC. So, as Certificate Transparency's signed
tree heads and Sigstore Rekor's signed checkpoints do, `kkwna register checkpoint` (and
every `kkwna register backup`) signs the newest event's id and hash with the seal key and
appends the signature to the log as one line::

    # checkpoint <event id> <head sha256 hex> <time ISO> <signature base64> <token base64|->

The signature covers ``kkwna-checkpoint/1 <event id> <head> <time>``; the optional token is
an RFC 3161 timestamp of the signature from the office's timestamp authority, which dates
the checkpoint independently of the PC's clock. `problems` checks every checkpoint against
the register: the signature (seal certificate), the token, that its event is still there
and that the register's hash at that event is the head signed. The register's meta holds
the last checkpoint made, so a checkpoint removed from the log is reported too.

What it does not stop: whoever holds the seal key (and the PC) can rewrite the register
and the log and sign fresh checkpoints. Against them only copies out of their reach help:
the printed checkpoints and book heads, and a seal key kept on another machine.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from pipeline.store import chainlog
from pipeline.store.register import CHECKPOINT_KEY, Register

MAGIC = "kkwna-checkpoint/1"
_LINE = re.compile(r"# checkpoint (\d+) ([0-9a-f]{64}) (\S+) ([A-Za-z0-9+/=]+) (\S+)")


@dataclass(frozen=True)
class Checkpoint:
    event_id: int
    head: str  # the event's full hash
    at: str  # ISO time, as the signer's clock said
    signature: bytes
    timestamp: bytes = b""  # DER of an RFC 3161 token over the signature, or empty

    def message(self) -> bytes:
        return f"{MAGIC} {self.event_id} {self.head} {self.at}".encode()

    def line(self) -> str:
        token = base64.b64encode(self.timestamp).decode() if self.timestamp else "-"
        return (f"# checkpoint {self.event_id} {self.head} {self.at} "
                f"{base64.b64encode(self.signature).decode()} {token}\n")

    def name(self) -> str:
        return f"checkpoint #{self.event_id} ({self.head[:16]})"


def _sign(key: Any, message: bytes) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return bytes(key.sign(message, ec.ECDSA(hashes.SHA256())))
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(message)
    raise ValueError("kunci segel harus ECDSA atau Ed25519")


def _valid(public_key: Any, signature: bytes, message: bytes) -> bool:
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, message)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def sign(key: Any, event_id: int, head: str, at: str, timestamper: Any = None) -> Checkpoint:
    """A checkpoint of *head* at *event_id*, signed with the seal *key* and, with a
    pyHanko *timestamper*, timestamped."""
    unsigned = Checkpoint(event_id, head, at, b"")
    signature = _sign(key, unsigned.message())
    token = b""
    if timestamper is not None:
        import asyncio

        digest = hashlib.sha256(signature).digest()
        token = asyncio.run(timestamper.async_timestamp(digest, "sha256")).dump()
    return Checkpoint(event_id, head, at, signature, token)


def add(reg: Register, key: Any, at: datetime, timestamper: Any = None) -> Checkpoint:
    """Sign the register's head now and append the checkpoint to its chain log; the
    register remembers it (meta), so its removal from the log is noticed."""
    row = reg.db.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        raise ValueError("register belum berisi peristiwa")
    made = sign(key, row["id"], row["hash"], at.isoformat(timespec="seconds"), timestamper)
    chainlog.append_remark(reg.chain_path, made.line())
    reg.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                   (CHECKPOINT_KEY, f"{made.event_id} {made.head}"))
    return made


def parse(text: str) -> list[Checkpoint]:
    """The whole checkpoint lines of a chain log's text (a torn last line is left out)."""
    out = []
    for line in text.split("\n"):
        if "# checkpoint " not in line:  # the events' lines, most of the log
            continue
        m = _LINE.fullmatch(line.strip())
        if m:
            try:
                token = b"" if m[5] == "-" else base64.b64decode(m[5], validate=True)
                out.append(Checkpoint(int(m[1]), m[2], m[3],
                                      base64.b64decode(m[4], validate=True), token))
            except ValueError:
                continue
    return out


def read(path: Path) -> list[Checkpoint]:
    if not path.exists():
        return []
    return parse(path.read_text(encoding="utf-8", errors="replace"))


def _token_problem(cp: Checkpoint, trust: Any) -> str | None:
    """Why the timestamp token does not vouch for this checkpoint (None: it does)."""
    # loaded here: asyncio and asn1crypto's CMS are a tenth of `archive verify`'s start-up,
    # and only a checkpoint with a token needs them
    import asyncio

    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    try:
        signed = cms.ContentInfo.load(cp.timestamp)["content"]
        info = signed["encap_content_info"]["content"].parsed
        imprint = info["message_imprint"]["hashed_message"].native
    except (ValueError, KeyError, TypeError):
        return "cap waktu TSA rusak."
    if imprint != hashlib.sha256(cp.signature).digest():
        return "cap waktu TSA bukan untuk checkpoint ini."
    # without the office's trust roots the token is checked for integrity alone: an empty
    # trust list, never the machine's own (the verdict must not depend on where it runs)
    context = trust.context() if trust is not None else ValidationContext(trust_roots=[])
    try:
        status = asyncio.run(validate_tst_signed_data(signed, context, lambda _: imprint))
    except Exception:  # pyHanko raises a few kinds on a broken token: all mean the same
        return "cap waktu TSA tidak dapat diperiksa."
    # a dict of the status's fields; with trust roots the TSA must chain to one of them
    trusted = status.get("validation_path") is not None and not status.get("trust_problem_indic")
    if not (status.get("intact") and status.get("valid")) or (trust is not None
                                                             and not trusted):
        return "tanda tangan cap waktu TSA tidak sah."
    return None


def removed(reg: Register, found: list[Checkpoint] | None = None) -> list[str]:
    """The last checkpoint made, if the log no longer has it (needs no key to check)."""
    remembered = reg._meta(CHECKPOINT_KEY)
    if not remembered:
        return []
    found = read(reg.chain_path) if found is None else found
    eid, _, head = remembered.partition(" ")
    if any(cp.event_id == int(eid) and cp.head == head for cp in found):
        return []
    return [f"checkpoint #{eid} ({head[:16]}) hilang dari {reg.chain_path.name}: checkpoint "
            "yang pernah dibuat dihapus."]


def problems(reg: Register, cert: Any, trust: Any = None) -> list[str]:
    """What is wrong with the checkpoints of *reg*'s chain log, one Indonesian line each.

    *cert*: the seal certificate (`cryptography`), or None when [tte] names none: the
    checkpoints are then reported as not checkable. *trust*: the office's trust roots,
    against which a timestamp token's TSA is checked (None: the token's signature only).
    """
    found = read(reg.chain_path)
    out = removed(reg, found)
    if not found:
        return out
    if cert is None:
        return [*out, f"{len(found)} checkpoint di {reg.chain_path.name} tidak dapat "
                      "diperiksa: tte.seal_cert di kkwna.toml belum diisi."]
    heads = dict(reg.db.execute("SELECT id, hash FROM events"))
    newest = max(heads, default=0)
    public_key = cert.public_key()
    for cp in _unique(found):
        if not _valid(public_key, cp.signature, cp.message()):
            out.append(f"{cp.name()}: tanda tangan tidak sah (bukan kunci segel kantor, atau "
                       "isinya diubah).")
            continue
        if cp.timestamp:
            problem = _token_problem(cp, trust)
            if problem:
                out.append(f"{cp.name()}: {problem}")
                continue
        if cp.event_id > newest:
            out.append(f"{cp.name()} melampaui register (peristiwa terakhir #{newest}): "
                       "peristiwa terbaru dihapus.")
        elif heads.get(cp.event_id) != cp.head:
            out.append(f"{cp.name()} yang ditandatangani segel kantor tidak cocok dengan "
                       f"rantai register sekarang: riwayat sampai #{cp.event_id} ditulis "
                       "ulang.")
    return out


def _unique(found: Iterable[Checkpoint]) -> list[Checkpoint]:
    seen, out = set(), []
    for cp in found:
        if cp not in seen:
            seen.add(cp)
            out.append(cp)
    return out
