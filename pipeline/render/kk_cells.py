"""A cell of the Family Card and the text fitted into it: the one size and the line breaks
that fill the rectangle without leaving it (the longest names wrap at a space or a hyphen,
shrink to MIN_SIZE, and below it only for text longer than validation accepts).

Apart from `kk` (which places the cells on the card) so that what fits text, and the
geometry tests hold it to, reads on its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.render import fonts

MIN_SIZE = 4.5
FLOOR_SIZE = 3.0  # below MIN_SIZE only for text longer than validation accepts
ELLIPSIS = "\u2026"
LEADING = 1.1
ASCENT = 0.76  # of the Vera fonts, per point of size
DESCENT = 0.24
PAD_X = 2.0
PAD_Y = 0.8


@dataclass(frozen=True)
class Line:
    """One drawn string: baseline start (x, y), font and size."""

    text: str
    x: float
    y: float
    font: str
    size: float


@dataclass(frozen=True)
class Cell:
    """A rectangle of the card and the text fitted into it.

    ``key`` names what it holds: ``a3.nik`` (member 3's NIK), ``a3.no`` (row number),
    ``no_kk``, ``kepala_keluarga``, ``label.kecamatan``, ``t1.head.nik`` (a column
    header), ``footer.nama_kepala_dinas``, ``paraf.nip``, ...
    """

    key: str
    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    lines: tuple[Line, ...] = ()
    border: bool = False


# --------------------------------------------------------------------------- fitting


def _break_points(text: str, anywhere: bool) -> list[int]:
    """Indices where a line may end: at a space (dropped), after '-' or '/' (kept)."""
    points = []
    for i in range(1, len(text)):
        if text[i] == " " or text[i - 1] in "-/" or (anywhere and text[i - 1] != " "):
            points.append(i)
    return points


def _split_at(text: str, cuts: Sequence[int]) -> list[str]:
    bounds = [0, *cuts, len(text)]
    return [text[a:b].strip() for a, b in itertools.pairwise(bounds)]


def _best_split(text: str, n: int, font: str, anywhere: bool) -> list[str] | None:
    """The split of *text* into *n* non-empty lines whose widest line is narrowest."""
    points = _break_points(text, anywhere)
    if len(points) > (400 if n == 2 else 40):  # very long text: fill lines greedily
        return _greedy_split(text, n, font, points)
    best: list[str] | None = None
    best_width = float("inf")
    for cuts in itertools.combinations(points, n - 1):
        lines = _split_at(text, cuts)
        if any(not line for line in lines):
            continue
        widest = max(fonts.text_width(line, font, 1.0) for line in lines)
        if widest < best_width:
            best, best_width = lines, widest
    return best


def _greedy_split(text: str, n: int, font: str, points: Sequence[int]) -> list[str] | None:
    target = fonts.text_width(text, font, 1.0) / n
    cuts: list[int] = []
    start = 0
    for p in points:
        if len(cuts) == n - 1:
            break
        if fonts.text_width(text[start:p], font, 1.0) >= target:
            cuts.append(p)
            start = p
    lines = _split_at(text, cuts)
    return lines if len(lines) == n and all(lines) else None


def _size_for(
    lines: Sequence[str], font: str, max_size: float, width: float, height: float
) -> float:
    widest = max(fonts.text_width(line, font, 1.0) for line in lines)
    by_width = width / widest if widest else max_size
    by_height = height / (ASCENT + DESCENT + (len(lines) - 1) * LEADING)
    size = min(max_size, by_width, by_height)
    size = int(size * 4) / 4  # down to a quarter point
    while size > 0.25 and any(fonts.text_width(li, font, size) > width for li in lines):
        size -= 0.25
    return size


def _fit(
    text: str, font: str, max_size: float, width: float, height: float
) -> tuple[float, list[str]]:
    size = _size_for([text], font, max_size, width, height)
    if size >= max_size or size >= MIN_SIZE + 1.5:
        return size, [text]
    candidates: list[tuple[float, list[str]]] = [(size, [text])]
    two = _best_split(text, 2, font, False)
    if size >= MIN_SIZE and (
        two is None or _size_for(two, font, max_size, width, height) < size + 0.5
    ):
        return size, [text]
    for n, anywhere in ((2, False), (2, True), (3, False), (3, True)):
        lines = _best_split(text, n, font, anywhere)
        if lines is None:
            continue
        size = _size_for(lines, font, max_size, width, height)
        if size >= MIN_SIZE:
            return size, lines
        candidates.append((size, lines))
    return max(candidates, key=lambda c: c[0])


def fit_text(
    text: str, font: str, max_size: float, width: float, height: float
) -> tuple[float, list[str]]:
    """The size and lines that put *text* inside a box *width* x *height* points.

    One line, shrunk down to MIN_SIZE -- unless two lines (broken at spaces, hyphens
    or slashes) would print it clearly larger; else two lines (broken anywhere if
    need be); only if that fails too, three lines or smaller than MIN_SIZE. Text
    that would need less than FLOOR_SIZE (far beyond what validation accepts) is
    cut short with an ellipsis rather than drawn unreadably small.
    """
    if not text:
        return max_size, []
    size, lines = _fit(text, font, max_size, width, height)
    if size >= FLOOR_SIZE:
        return size, lines
    low, high = 0, len(text) - 1  # longest prefix that fits with an ellipsis
    best: tuple[float, list[str]] = (max_size, [])
    while low < high:
        mid = (low + high + 1) // 2
        trial = _fit(text[:mid].rstrip() + ELLIPSIS, font, max_size, width, height)
        if trial[0] >= FLOOR_SIZE:
            low, best = mid, trial
        else:
            high = mid - 1
    return best


def fitted_cell(
    key: str,
    text: str,
    x0: float,
    x1: float,
    y0: float,
    y1: float,
    *,
    font: str = fonts.REGULAR,
    size: float = 7.0,
    align: str = "left",
    border: bool = False,
) -> Cell:
    width = x1 - x0 - 2 * PAD_X
    height = y1 - y0 - 2 * PAD_Y
    fitted, texts = fit_text(text, font, size, width, height)
    n = len(texts)
    lines = []
    if n:
        # centre capitals on the cell's middle, then keep ascent and descent inside
        middle = (y0 + y1) / 2
        first = middle + (n - 1) * LEADING * fitted / 2 - 0.36 * fitted
        first = min(first, y1 - PAD_Y - ASCENT * fitted)
        last = first - (n - 1) * LEADING * fitted
        if last - DESCENT * fitted < y0 + PAD_Y:
            first += y0 + PAD_Y - (last - DESCENT * fitted)
        for i, line in enumerate(texts):
            w = fonts.text_width(line, font, fitted)
            if align == "center":
                x = (x0 + x1 - w) / 2
            elif align == "right":
                x = x1 - PAD_X - w
            else:
                x = x0 + PAD_X
            lines.append(Line(line, x, first - i * LEADING * fitted, font, fitted))
    return Cell(key, text, x0, x1, y0, y1, tuple(lines), border)
