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


# letters NFKD does not take apart, as ICAO Doc 9303 transliterates them in the MRZ
_MRZ_LETTERS = {"ß": "SS", "ẞ": "SS", "Æ": "AE", "æ": "AE", "Ø": "OE", "ø": "OE",
                "Œ": "OE", "œ": "OE", "Ð": "D", "ð": "D", "Þ": "TH", "þ": "TH", "Ł": "L",
                "ł": "L", "Ĳ": "IJ"}


def plain_capitals(name: str) -> str:
    """*name* in the capitals A-Z a passport's machine-readable zone uses: accents dropped,
    ligatures spelt out ("MARÍA GARCÍA LÓPEZ" -> "MARIA GARCIA LOPEZ")."""
    spelt = "".join(_MRZ_LETTERS.get(c, c) for c in name)
    plain = unicodedata.normalize("NFKD", spelt)
    return "".join(c for c in plain if not unicodedata.combining(c)).upper()


def has_non_latin_capitals(name: str) -> bool:
    """A letter outside A-Z (an accent, a ligature): not how a KK prints a name."""
    return any(c.isalpha() and not ("A" <= c <= "Z") for c in name.upper())
