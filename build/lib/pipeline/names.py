"""People's names compared as a person would: without titles, degrees, punctuation, accents
or case. "DEMO HJ. NOOR HIDAYAH, SE" and "demo noor hidayah" are the same person."""

from __future__ import annotations

import re
import unicodedata

# titles and degrees that a name on a form may carry or leave out
TITLES = frozenset({
    "DR", "DRS", "DRA", "IR", "H", "HJ", "HAJI", "HAJJAH", "PROF", "ST", "SE", "SH", "SS",
    "SPD", "SKOM", "SSOS", "SIP", "SAP", "SSTP", "MM", "MSI", "MH", "MAP", "MPD", "MT", "MKOM",
    "AMD", "BA", "SAG", "SHI", "SKM", "SPSI", "SIKOM", "MA", "MSC", "PHD", "MR", "MRS", "MS",
})


def key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).upper()
    plain = plain.split(",")[0] if "," in plain else plain  # degrees follow a comma
    words = re.findall(r"[A-Z0-9]+", plain.replace(".", ". "))
    return " ".join(w for w in words if w not in TITLES)
