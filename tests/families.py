"""The family of INTERFACE.md's example, shared by the tests: the same copy `kkwna demo`
uses (one copy to keep right); and the area of the office it lives in."""

from __future__ import annotations

from pipeline.demo.walkthrough import ADDRESS, HEAD
from pipeline.domain import refdata

#: Disdukcapil Kabupaten Tapin's area (kkwna.toml's template): regency 63.05, postcodes 711xx
TAPIN = refdata.OfficeArea("6305", ("711",))

__all__ = ["ADDRESS", "HEAD", "TAPIN"]
