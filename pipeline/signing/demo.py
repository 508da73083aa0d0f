"""`kkwna init --demo`: the demonstration PKI made inside the home and named in kkwna.toml.

The PKI goes to `.kkwna/demo-pki/` (the program's own folder, not a shared desk): the
head of office's and head of division's PKCS#12 files, the seal, an in-process timestamp
authority (so a signed card shows PAdES B-LTA), the root CA and its CRL, and the one
passphrase file (mode 0600). The certificates name the officers of kkwna.toml.

The `[tte]` entries are written with paths relative to the home, so a copied home still
finds its PKI. Only the `[tte]` section's own lines are replaced; a section that names
certificates outside the demo folder (a real office's) is left alone and refused.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pipeline.office import config, config_write
from pipeline.office.fsutil import atomic_write_text
from pipeline.office.home import Home
from pipeline.signing.keys import SigningError
from pipeline.signing.pki import DemoPKI, Person, make_demo_pki, tte_values

DEMO_FOLDER = "demo-pki"


def demo_folder(home: Home) -> Path:
    return home.state / DEMO_FOLDER


def _relative(home: Home, values: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
    def rel(text: str) -> str:
        path = Path(text)
        try:
            return str(path.relative_to(home.root)) if path.is_absolute() else text
        except ValueError:
            return text
    return {k: [rel(v) for v in value] if isinstance(value, list) else (rel(value) if value
            else value) for k, value in values.items()}


def replace_tte_section(text: str, values: dict[str, str | list[str]]) -> str:
    """*text* (kkwna.toml) with its `[tte]` section's entries set to *values* and the
    others to their empty defaults; comments and the sections around it kept (tomlkit
    edits the file in place). A file without the section gets the whole commented section
    appended."""
    if "tte" not in tomllib.loads(text):
        text = text.rstrip("\n") + "\n" + config.tte_section()
    entries = {**tomllib.loads(config.tte_section())["tte"], **values}
    return config_write.edit(text, {("tte", key): value for key, value in entries.items()})


def _refuse_real_settings(home: Home, cfg: config.Config) -> None:
    folder = demo_folder(home).resolve()
    t = cfg.tte.resolved(home.root)
    named = [*t.trust_roots, *t.crls, t.head_of_office_cert, t.seal_p12, t.seal_cert,
             t.passphrase_file, t.tsa_p12, t.head_of_office_p12]
    for path in named:
        if path is not None and folder not in path.resolve().parents:
            raise SigningError(f"kkwna.toml sudah berisi pengaturan TTE kantor ({path}); "
                               f"`init --demo` tidak menimpanya")
    if t.tsa_url:
        raise SigningError("kkwna.toml sudah berisi pengaturan TTE kantor (tte.tsa_url); "
                           "`init --demo` tidak menimpanya")


def set_up_demo(home: Home) -> DemoPKI:
    """Make the demo PKI for the officers of the home's kkwna.toml and name it there."""
    cfg = config.load(home.root)
    _refuse_real_settings(home, cfg)
    head = cfg.head_of_office()
    division = cfg.officers_for("kepala_bidang")[0]
    pki = make_demo_pki(demo_folder(home), head_of_office=Person(head.nama, head.nip),
                        head_of_division=Person(division.nama, division.nip),
                        office=f"Disdukcapil {cfg.office.wilayah}")
    path = home.root / config.FILENAME
    text = replace_tte_section(path.read_text(encoding="utf-8"),
                               _relative(home, tte_values(pki)))
    atomic_write_text(path, text)
    config.load(home.root)  # what was written must read back
    return pki
