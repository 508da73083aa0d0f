"""What a change of an issued KK changes: the old family data against the new, field by field.

Pure (no I/O). The Perubahan Data KK WNA service (`pipeline.services.perubahan_data`) enters
the new family data pre-filled from the issued card's; `changes(old, new)` lists every
difference as a `Change` the documents show: on the draft KK (a mark on each changed cell
and a "Perubahan" list) and on the reviews (old and new side by side).

Members of the two families are matched by NIK, then by name and date of birth, then by
name alone (a birth date corrected keeps its member), in that order; whatever is left over
is a member removed (old) or added (new). A member's row number is the one on its card.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.domain import family

ADDED = "tambah"
REMOVED = "hapus"
CHANGED = "ubah"
KIND_NAMES = {ADDED: "ditambahkan", REMOVED: "dihapus", CHANGED: "diubah"}

# the card's cell that shows a header field (`kk.layout_kk`'s keys); the e-mail address is
# not printed on the card
HEADER_CELLS: Mapping[str, str] = {"no_kk": "no_kk", "alamat": "alamat", "rt": "rt_rw",
                                   "rw": "rt_rw", "desa_kelurahan": "desa_kelurahan",
                                   "kecamatan": "kecamatan", "kode_pos": "kode_pos"}


@dataclass(frozen=True)
class Change:
    """One difference between the issued card's data and the new data."""

    kind: str  # ADDED, REMOVED (a whole member) or CHANGED (one field)
    key: str  # the field ("alamat", "no_paspor"); "" for a member added or removed
    old: str  # the value on the issued card ("" for an added member)
    new: str  # the value on the new card ("" for a removed member)
    member: str = ""  # the member's name ("" for a header field)
    old_row: int | None = None  # the member's row on the issued card (1-based)
    new_row: int | None = None  # and on the new card

    @property
    def label(self) -> str:
        """What changed, as the documents name it: "Anggota 2 (EMILY ROSE SMITH), No.
        Paspor", "Alamat", "Anggota 4 (NOAH SMITH)"."""
        field = family.LABELS.get(self.key, self.key)
        if not self.member and self.old_row is None and self.new_row is None:
            return field
        row = self.new_row if self.new_row is not None else self.old_row
        who = f"Anggota {row} ({self.member})" if self.member else f"Anggota {row}"
        return f"{who}, {field}" if self.key else who

    @property
    def text(self) -> str:
        """One line of the "Perubahan" list: "Alamat: JL. A menjadi JL. B", "Anggota 4 (NOAH
        SMITH): ditambahkan"."""
        if self.kind != CHANGED:
            return f"{self.label}: {KIND_NAMES[self.kind]}"
        # "menjadi", not an arrow: the documents' fonts (Vera) have no arrow glyph
        return f"{self.label}: {self.old or '(kosong)'} menjadi {self.new or '(kosong)'}"

    def row(self) -> dict[str, str]:
        """A row of the reviews' side-by-side table (layout keys elemen, lama, baru)."""
        if self.kind == ADDED:
            return {"elemen": self.label, "lama": "(belum ada)", "baru": "ditambahkan"}
        if self.kind == REMOVED:
            return {"elemen": self.label, "lama": "tercantum", "baru": "dihapus dari KK"}
        return {"elemen": self.label, "lama": self.old or "(kosong)",
                "baru": self.new or "(kosong)"}


def _match(old: Sequence[Mapping[str, str]], new: Sequence[Mapping[str, str]]
           ) -> list[tuple[int | None, int | None]]:
    """Pairs (old index, new index) of the same person; None on one side: removed/added."""
    keys = (lambda m: m["nik"],
            lambda m: f"{m['nama_lengkap']}|{m['tanggal_lahir']}" if m["nama_lengkap"] else "",
            lambda m: m["nama_lengkap"])
    pairs: dict[int, int] = {}  # new index -> old index
    free_old = set(range(len(old)))
    for key in keys:
        for j, member in enumerate(new):
            if j in pairs or not key(member):
                continue
            found = next((i for i in sorted(free_old) if key(old[i]) == key(member)), None)
            if found is not None:
                pairs[j] = found
                free_old.discard(found)
    out: list[tuple[int | None, int | None]] = [(pairs.get(j), j) for j in range(len(new))]
    out += [(i, None) for i in sorted(free_old)]
    return out


def changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every difference from *old* (the issued card's family data) to *new*, in the card's
    order: the header fields, then the members of the new card row by row (each added one
    or its changed fields), then the members removed. Both are normalised first, so a
    spelling the normal form evens out ("s1", lower case) is no change."""
    a, b = family.normalise(old, area=None), family.normalise(new, area=None)
    found = [Change(CHANGED, key, a[key], b[key]) for key in family.HEADER_KEYS
             if a[key] != b[key]]
    removed: list[Change] = []
    for i, j in _match(a["anggota"], b["anggota"]):
        if j is None:
            assert i is not None
            m = a["anggota"][i]
            removed.append(Change(REMOVED, "", "", "", m["nama_lengkap"], old_row=i + 1))
            continue
        m = b["anggota"][j]
        if i is None:
            found.append(Change(ADDED, "", "", "", m["nama_lengkap"], new_row=j + 1))
            continue
        was = a["anggota"][i]
        found += [Change(CHANGED, key, was[key], m[key], m["nama_lengkap"] or
                         was["nama_lengkap"], old_row=i + 1, new_row=j + 1)
                  for key in family.MEMBER_KEYS if was[key] != m[key]]
    return found + removed


def marked_cells(found: Sequence[Change]) -> set[str]:
    """The new card's cells (`kk.layout_kk` keys) that show something changed: each changed
    field's, and every cell of an added member's row ("a4.no" among them)."""
    cells: set[str] = set()
    for change in found:
        if change.kind == ADDED and change.new_row is not None:
            cells |= {f"a{change.new_row}.{key}" for key in ("no", *family.MEMBER_KEYS)}
        elif change.kind == CHANGED and change.new_row is not None:
            cells.add(f"a{change.new_row}.{change.key}")
        elif change.kind == CHANGED and change.key in HEADER_CELLS:
            cells.add(HEADER_CELLS[change.key])
    return cells


def as_data(found: Sequence[Change]) -> list[dict[str, Any]]:
    """The changes as plain data, to keep in a case's data (JSON)."""
    return [{"kind": c.kind, "key": c.key, "old": c.old, "new": c.new, "member": c.member,
             "old_row": c.old_row, "new_row": c.new_row} for c in found]


def from_data(rows: Sequence[Mapping[str, Any]]) -> list[Change]:
    """`as_data`'s rows back as changes."""
    return [Change(str(r["kind"]), str(r["key"]), str(r["old"]), str(r["new"]),
                   str(r.get("member", "")), r.get("old_row"), r.get("new_row")) for r in rows]
