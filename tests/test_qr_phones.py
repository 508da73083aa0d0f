"""Every QR code the office prints reads with the decoders inside phone apps and counter
scanners (OpenCV's QRCodeDetector and zbar), not only with zxing: on its real page,
photographed at 100 and 150 dpi, blurred, turned, warped and JPEG-compressed."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.render import qr
from tests.qrphone import PHOTOS, documents, photos, readable

KINDS = ["KK seal", "KK draft", "slip code", "slip header", "desk form 02 header"]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return {kind: (pdf, text) for kind, pdf, text
            in documents(tmp_path_factory.mktemp("qr-phones"))}


@pytest.mark.parametrize("kind", KINDS)
def test_phones_read_every_qr_code(printed: dict[str, tuple[Path, str]], kind: str) -> None:
    pdf, text = printed[kind]
    counts = readable(list(photos(pdf, text)), text)
    assert all(n >= 9 for n in counts.values()), (kind, counts, PHOTOS)


@pytest.mark.parametrize("kind", KINDS)
def test_modules_are_at_least_half_a_millimetre(
    printed: dict[str, tuple[Path, str]], kind: str
) -> None:
    from tests.qrphone import locate

    pdf, text = printed[kind]
    x0, _, x1, _ = locate(pdf, text)  # the symbol without its quiet zone, in mm
    width = qr.make(text).symbol_size(border=0)[0]
    assert (x1 - x0) / width >= 0.5, (kind, (x1 - x0) / width)


ROOT = Path(__file__).resolve().parent.parent


def _make_test_tools(tmp_path: Path, have: tuple[str, ...]) -> str:
    """Run the set-up's test-tools rule with a PATH of fakes (*have*: the tools already
    there); what apt-get was asked to do."""
    import os
    import shutil
    import subprocess

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    fakes = {"apt-get": f'#!/bin/sh\necho "$@" >> {log}\n', **{t: "#!/bin/sh\n" for t in have}}
    for name, body in fakes.items():
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)
    make = shutil.which("make")
    assert make, "make is needed to set the project up"
    subprocess.run([make, "-s", "-C", str(ROOT), "test-tools"], check=True, timeout=60,
                   env={**os.environ, "PATH": str(bin_dir)})
    return log.read_text() if log.exists() else ""


def test_the_set_up_installs_what_the_tests_need_when_it_is_missing(tmp_path: Path) -> None:
    assert _make_test_tools(tmp_path, ("chromedriver",)).splitlines() == [
        "update", "install -y zbar-tools poppler-utils"]


def test_the_set_up_leaves_installed_tools_alone(tmp_path: Path) -> None:
    assert _make_test_tools(tmp_path, ("chromedriver", "zbarimg", "pdftoppm")) == ""


def test_make_test_sets_the_tools_up_first() -> None:
    import subprocess

    plan = subprocess.run(["make", "-n", "-B", "-C", str(ROOT), "test"], capture_output=True,
                          text=True, check=True, timeout=60).stdout
    assert plan.index("zbarimg") < plan.index("pytest")
