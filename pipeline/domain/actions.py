"""What the register's events record, each action's word declared once.

The word is what the register stores and the history sheet prints; the books, the
report, `status` and the archive tell events apart by these names, never by the words
(a `StrEnum`: it compares equal to the stored text and is written as it).
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    RECEIVED = "diterima"  # step 1: the scans taken in
    CANCELLED = "dibatalkan"  # an entry withdrawn before it was taken in
    APPROVED = "disetujui"  # a desk step decided "setuju"
    RETURNED = "dikembalikan"  # a step decided "kembalikan"
    SUBMITTED = "diajukan"  # step 7: the KK put before the head of office
    SIGNED = "ditandatangani"  # step 8: the TTE
    PRINTED = "dicetak"  # step 9
    READY = "siap diserahkan"  # step 10: the KK on the hand-over desk
    HANDED_OVER = "diserahkan"  # step 11
    CARRIED_OUT = "dilaksanakan"  # an automatic step that names no word of its own
    MAILED = "e-mail terkirim"  # the server accepted the KK's e-mail
    FILED = "diarsipkan"  # the case folder moved into its binder
    RENEWED = "diperbarui"  # a filed KK's signature renewed (archive renew)
    AUDITED = "diaudit"  # an `archive verify` run (case ARSIP)
