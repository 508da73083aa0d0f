"""The archive: filing cases into binders, the year's books, fixity checks, transfer bags.

- `filing`: `file_case`, `recover` (crash-safe, idempotent filing into archive/<YYYY>/odner-NN/)
- `binders`: which binder, its spine label (label.pdf) and contents (daftar-isi.pdf)
- `history`: riwayat.pdf, every event with who, when, decision and reason
- `books`: the register book and collection book (PDF per year) and the CSV export
- `fixity`: `verify_archive` (SHA256SUMS, register checksums, event chain, signatures)
- `hashing`: the case folders read and hashed (in a forked child), for fixity and replicas
- `export`: `export_bagit` (a BagIt bag for the records office)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.archive.books import book_rows, export_csv, write_books
    from pipeline.archive.export import ExportError, export_bagit
    from pipeline.archive.filing import (
        SUMS,
        ArchiveError,
        file_case,
        odner_number,
        recover,
        target_folder,
    )
    from pipeline.archive.fixity import verify_archive
    from pipeline.archive.history import HISTORY, write_history

# where each name lives: loaded on first use, so `kkwna archive verify` (fixity) does not
# load the books' and binders' PDF makers, and `sign --all` not the archive at all
_HOME = {"book_rows": "books", "export_csv": "books", "write_books": "books",
         "ExportError": "export", "export_bagit": "export",
         "SUMS": "filing", "ArchiveError": "filing", "file_case": "filing",
         "odner_number": "filing", "recover": "filing", "target_folder": "filing",
         "verify_archive": "fixity", "HISTORY": "history", "write_history": "history"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)


__all__ = ["ArchiveError", "ExportError", "HISTORY", "SUMS", "book_rows", "export_bagit",
           "export_csv", "file_case", "odner_number", "recover", "target_folder",
           "verify_archive", "write_books", "write_history"]
