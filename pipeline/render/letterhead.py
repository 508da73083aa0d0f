"""What the letterhead (kop surat) shows besides the office's name and address.

The office's emblem (``[office] lambang`` in kkwna.toml, or a layout's ``kop.logo``)
and its telephone, e-mail and website. The emblem is an image the office supplies; a
missing or unreadable file never stops a document: the letterhead is drawn without
it and the log says why.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError
from reportlab.lib.utils import ImageReader

log = logging.getLogger(__name__)

#: An emblem larger than this (pixels on a side) is scaled down before it is embedded:
#: it is drawn about 2 cm wide, and a scanner's 6000-pixel image would swell every PDF.
EMBLEM_PIXELS = 600


def load_emblem(path: str | Path) -> ImageReader | None:
    """The emblem at *path* ready to draw, or None (and a warning in the log) when the
    file is missing or not a readable image."""
    path = Path(path)
    try:
        with Image.open(path) as img:
            img.load()
            image = img.convert("RGBA" if _has_alpha(img) else "RGB")
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("Lambang kantor %s tidak dapat dibaca (%s); kop surat dicetak tanpa "
                    "lambang.", path, exc)
        return None
    image.thumbnail((EMBLEM_PIXELS, EMBLEM_PIXELS))
    return ImageReader(image)


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info


def contact_line(office: Mapping[str, Any]) -> str:
    """``Telepon (0517) 31234; Pos-el x@y.go.id; Laman z.go.id``: the parts the office
    gave, as an official letterhead writes them; "" when it gave none."""
    parts = []
    for key, label in (("telepon", "Telepon"), ("email", "Pos-el"), ("website", "Laman")):
        value = str(office.get(key) or "").strip()
        if value:
            parts.append(f"{label} {value}")
    return "; ".join(parts)
