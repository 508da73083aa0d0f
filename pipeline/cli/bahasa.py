"""click's own messages in Bahasa Indonesia ("Belum diisi: opsi '--p12'.", "'lima' bukan
bilangan bulat."), for the staff who read them.

click marks its messages with gettext's ``_`` and ``ngettext``, bound as module globals
of each of its modules; `install` points those names at the table below. A message not
in the table stays as click wrote it. Shipping a compiled .mo catalogue would do the
same through gettext, at the price of a build step for one small table.
"""

from __future__ import annotations

import importlib
from typing import Any

# click's type names as they appear inside messages ("... is not a valid integer.")
TYPE_NAMES = {"integer": "bilangan bulat", "float": "bilangan", "boolean": "ya/tidak",
              "text": "teks", "path": "path", "file": "berkas", "directory": "folder",
              "integer range": "bilangan bulat", "float range": "bilangan",
              "option": "opsi", "argument": "argumen", "parameter": "parameter"}

MESSAGES = {
    "Aborted!": "Dibatalkan.",
    "Error: {message}": "Galat: {message}",
    "Try '{command} {option}' for help.": "Coba '{command} {option}' untuk bantuan.",
    "Usage:": "Pemakaian:",
    "Options": "Opsi",
    "Commands": "Perintah",
    "Positional arguments": "Argumen",
    "Show this message and exit.": "Tampilkan bantuan ini lalu keluar.",
    "Show the version and exit.": "Tampilkan versi lalu keluar.",
    "%(prog)s, version %(version)s": "%(prog)s, versi %(version)s",
    "Missing command.": "Perintah belum diberikan.",
    "No such command {name!r}.": "Tidak ada perintah {name!r}.",
    "No such option: {name}": "Tidak ada opsi {name}.",
    "No such option {name!r}.": "Tidak ada opsi {name!r}.",
    "Missing argument": "Belum diisi: argumen",
    "Missing option": "Belum diisi: opsi",
    "Missing parameter": "Belum diisi: parameter",
    "Missing {param_type}": "Belum diisi: {param_type}",
    "Missing parameter: {param_name}": "Parameter wajib diisi: {param_name}",
    "Invalid value: {message}": "Nilai tidak sah: {message}",
    "Invalid value for {param_hint}: {message}": "Nilai {param_hint} tidak sah: {message}",
    "{value!r} is not a valid {number_type}.": "{value!r} bukan {number_type}.",
    "{value!r} is not a valid boolean.": "{value!r} bukan ya/tidak.",
    "{value!r} is not a valid UUID.": "{value!r} bukan UUID.",
    "{value} is not in the range {range}.": "{value} di luar rentang {range}.",
    "{value!r} is not {choice}.": "{value!r} bukan {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} bukan salah satu dari {choices}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} tidak ada.",
    "{name} {filename!r} is a file.": "{name} {filename!r} adalah berkas, bukan folder.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} adalah folder, bukan berkas.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} tidak dapat dibaca.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} tidak dapat ditulis.",
    "Could not open file {filename!r}: {message}": "Berkas {filename!r} tidak dapat dibuka: "
                                                   "{message}",
    "Option {name!r} does not take a value.": "Opsi {name!r} tidak memakai nilai.",
    "Option {name!r} requires an argument.": "Opsi {name!r} memerlukan nilai.",
    "Option {name!r} requires {nargs} arguments.": "Opsi {name!r} memerlukan {nargs} nilai.",
    "Got unexpected extra argument ({args})": "Ada argumen yang tidak dikenal ({args})",
    "Got unexpected extra arguments ({args})": "Ada argumen yang tidak dikenal ({args})",
    "Did you mean {possibility}?": "Maksud Anda {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Maksud Anda salah satu dari: "
                                               "{possibilities}?)",
    "Repeat for confirmation": "Ulangi untuk memastikan",
    "Error: The two entered values do not match.": "Galat: kedua isian tidak sama.",
    "Error: invalid input": "Galat: isian tidak sah",
    "Do you want to continue?": "Lanjutkan?",
    "env var: {var}": "variabel lingkungan: {var}",
    "default: {default}": "bawaan: {default}",
    "required": "wajib",
    "file": "berkas",
    "directory": "folder",
    "path": "path",
}


class _Message(str):
    """A translated message whose `format` also translates the type names put into it."""

    def format(self, *args: Any, **kwargs: Any) -> str:
        named = {k: TYPE_NAMES.get(v, v) if isinstance(v, str) else v
                 for k, v in kwargs.items()}
        return str.format(self, *args, **named)


def gettext(message: str) -> str:
    return _Message(MESSAGES.get(message, message))


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


_MODULES = ("core", "exceptions", "types", "parser", "decorators", "termui", "formatting")


def install() -> None:
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
