"""`kkwna serve` through a real browser (Debian's chromium on a 360x640 window, driven by
Selenium) and plain HTTP: the head approves step 8 on the phone, returns a card with a
note, anyone checks a KK at /verifikasi; and the door's defences (CSRF, idle sessions,
lockout, who sees the queue, size and pixel limits, no passphrase in a log or a page)."""

from __future__ import annotations

import json
import logging
import os
import select
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from pipeline.cli import cli
from pipeline.domain.model import Env
from pipeline.office import config
from pipeline.office import home as homes
from pipeline.signing.register_check import judge
from pipeline.store.register import Register
from pipeline.web.passwords import check_password, set_password
from tests import tte_office
from tests.conftest import KEPALA_BIDANG, MONDAY_9
from tests.forgeries import decompression_bomb_png
from tests.qrread import phone_view
from tests.webdoor import Client, chromium, self_signed, serving

FAMILIES = {"JOHN SMITH": tte_office.JOHN, "JANE DOE": tte_office.JANE,
            "KENJI WATANABE": tte_office.KENJI}
PASSWORD = "sandi-kepala-dinas-1"
STAFF_PASSWORD = "sandi-kepala-bidang-1"
SIGNED = "08 kartu keluarga WNA.pdf"
WRONG = "salah-sekali-XYZ"
SHOTS = os.environ.get("KKWNA_WEB_SHOTS")  # a folder: keep the screenshots to look at

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """The office at step 8, where the head and the head of division have web passwords
    (set once, as `kkwna pengguna sandi` does: its own test is below)."""
    built = tte_office.build(tmp_path_factory.mktemp("web"), FAMILIES)
    home = homes.Home(built[8])
    cfg = config.load(home.root)
    for nip, password in ((cfg.head_of_office().nip, PASSWORD),
                          (KEPALA_BIDANG, STAFF_PASSWORD)):
        set_password(home, cfg, nip, password)
    return built


@pytest.fixture(scope="module")
def browser() -> Any:
    with chromium() as driver:
        yield driver


@pytest.fixture
def office(stages: dict[int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           browser: Any) -> tuple[homes.Home, dict[str, str]]:
    """A fresh copy of the office with three KKs at step 8; the browser starts logged out."""
    monkeypatch.setenv("KKWNA_NOW", MONDAY_9)
    home, ids = tte_office.copier(stages, tmp_path)(8)
    browser.delete_all_cookies()
    return home, ids


def _kkwna(home: homes.Home, *args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, ["--home", str(home.root), *args], input=input)


def _head(home: homes.Home) -> str:
    return config.load(home.root).head_of_office().nip


def _passphrase(home: homes.Home) -> str:
    return (home.state / "demo-pki" / "passphrase.txt").read_text().strip()


def _case(home: homes.Home, cid: str) -> Any:
    reg = Register(home.register_path)
    try:
        return reg.find(cid)
    finally:
        reg.close()


def _events(home: homes.Home, cid: str) -> list[tuple[int, str, str, dict[str, Any]]]:
    reg = Register(home.register_path)
    try:
        return [(e["step"], e["action"], e["officer_nip"], json.loads(e["detail"] or "{}"))
                for e in reg.events(cid)]
    finally:
        reg.close()


def _left(old: Any) -> Any:
    """A wait condition: the page *old* belongs to has been replaced. Chromium reports a
    replaced element either as stale or, while the new page is coming in, as "Node with
    given id does not belong to the document": both mean the old page is gone."""
    def gone(_driver: Any) -> bool:
        try:
            old.is_enabled()
        except WebDriverException:
            return True
        return False
    return gone


def _submit(driver: Any, button: Any) -> None:
    """Click a submit button and wait for the page it loads."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    WebDriverWait(driver, 60).until(_left(old))


def _login(driver: Any, base: str, nip: str, password: str) -> None:
    driver.get(base + "/masuk")
    driver.find_element(By.ID, "nip").send_keys(nip)
    driver.find_element(By.ID, "sandi").send_keys(password)
    _submit(driver, driver.find_element(By.CSS_SELECTOR, "form.lajur button[type=submit]"))


def _fits_the_phone(driver: Any) -> None:
    width = driver.execute_script("return window.innerWidth")
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360 and scroll <= width, (width, scroll)  # no sideways scrolling


def _shot(driver: Any, name: str, tmp_path: Path) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0)")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(360, min(max(640, height + 100), 4000))
    driver.save_screenshot(str(folder / f"{name}.png"))
    driver.set_window_size(360, 640)


def _approve_in_browser(driver: Any, cids: list[str], passphrase: str) -> None:
    for cid in cids:
        box = driver.find_element(By.CSS_SELECTOR, f"input[name=kasus][value='{cid}']")
        driver.execute_script("arguments[0].scrollIntoView()", box)
        box.click()
    driver.find_element(By.ID, "sandi-sertifikat").send_keys(passphrase)
    _submit(driver, driver.find_element(By.ID, "tombol-setujui"))


def test_the_head_approves_one_kk_on_a_phone(office, browser, tmp_path: Path) -> None:
    home, ids = office
    cid = ids["JOHN SMITH"]
    with serving(home) as base:
        _login(browser, base, _head(home), PASSWORD)
        assert browser.current_url == base + "/persetujuan"
        _fits_the_phone(browser)
        cards = browser.find_elements(By.CSS_SELECTOR, "article.kasus")
        assert len(cards) == 3
        preview = browser.find_element(By.CSS_SELECTOR, f"#kasus-{cid} img")
        browser.execute_script("arguments[0].scrollIntoView()", preview)
        loaded = "return arguments[0].complete && arguments[0].naturalWidth"
        WebDriverWait(browser, 15).until(lambda d: d.execute_script(loaded, preview))
        assert browser.execute_script(loaded, preview) >= 1000
        assert preview.size["width"] <= 360
        first = browser.find_element(By.CSS_SELECTOR, f"#kasus-{cid}")
        assert "DEMO HJ. NOOR HIDAYAH, SE" in first.get_attribute("textContent")  # the paraf
        _shot(browser, "antrean", tmp_path)
        _approve_in_browser(browser, [cid], _passphrase(home))
        assert "1 KK ditandatangani" in browser.find_element(By.TAG_NAME, "main").text
    case = _case(home, cid)
    assert case.status == "open" and case.step > 9  # signed (8) and printed (9)
    signed = [e for e in _events(home, cid) if e[0] == 8]
    assert len(signed) == 1
    step, action, nip, detail = signed[0]
    assert (action, nip) == ("ditandatangani", _head(home))
    assert detail["cara"] == "kkwna serve" and detail["alamat_klien"] == "127.0.0.1"
    assert any(e[:2] == (9, "dicetak") for e in _events(home, cid))
    verdict = judge(Env(home, config.load(home.root)), home.root / case.folder / SIGNED)
    assert verdict.ok, verdict.reason
    for other in ("JANE DOE", "KENJI WATANABE"):
        assert _case(home, ids[other]).step == 8


def test_a_wrong_passphrase_is_refused_and_shows_up_in_no_log_or_page(
        office, browser, caplog: pytest.LogCaptureFixture) -> None:
    home, ids = office
    cid = ids["JANE DOE"]
    caplog.set_level(logging.DEBUG)
    with serving(home) as base:
        _login(browser, base, _head(home), PASSWORD)
        _approve_in_browser(browser, [cid], WRONG)
        page = browser.page_source
        assert "kata sandi salah" in browser.find_element(By.TAG_NAME, "main").text
    assert _case(home, cid).step == 8
    assert not [e for e in _events(home, cid) if e[0] == 8]
    # the server's records only: the test's own driver (selenium, urllib3) logs its keys
    served = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
                       if not r.name.startswith(("selenium", "urllib3")))
    assert "POST /persetujuan/setujui" in served  # the server did log the request
    for text in (page, served):
        assert WRONG not in text and PASSWORD not in text


def test_the_head_approves_three_together_each_recorded_once(office, browser) -> None:
    home, ids = office
    with serving(home) as base:
        started = time.monotonic()
        _login(browser, base, _head(home), PASSWORD)
        _approve_in_browser(browser, list(ids.values()), _passphrase(home))
        took = time.monotonic() - started
        assert "3 KK ditandatangani" in browser.find_element(By.TAG_NAME, "main").text
        browser.get(base + "/persetujuan")
        assert browser.find_element(By.ID, "kosong").is_displayed()
    assert took < 60, took
    for cid in ids.values():
        assert [e[1] for e in _events(home, cid) if e[0] == 8] == ["ditandatangani"]
    result = _kkwna(home, "archive", "verify")
    assert result.exit_code == 0, result.output


def test_a_return_lands_on_the_head_of_divisions_desk_with_the_note(office, browser) -> None:
    home, ids = office
    cid = ids["KENJI WATANABE"]
    note = "Alamat pada KK tidak sama dengan KITAP; mohon diperiksa"
    with serving(home) as base:
        _login(browser, base, _head(home), PASSWORD)
        card = browser.find_element(By.CSS_SELECTOR, f"#kasus-{cid}")
        opener = card.find_element(By.CSS_SELECTOR, "details.kembalikan summary")
        browser.execute_script("arguments[0].scrollIntoView()", opener)
        opener.click()
        card.find_element(By.ID, f"catatan-{cid}").send_keys(note)
        _submit(browser, card.find_element(By.CSS_SELECTOR, "details.kembalikan button"))
        assert "dikembalikan ke langkah 6" in browser.find_element(By.ID, "dikembalikan").text
    case = _case(home, cid)
    assert (case.status, case.step) == ("open", 6)
    step, action, nip, detail = _events(home, cid)[-1]
    assert (step, action, nip) == (8, "dikembalikan", _head(home))
    assert detail["catatan"] == note and detail["alamat_klien"] == "127.0.0.1"
    forms = [p for p in (home.desks / "06-kepala-bidang").glob("*.pdf") if cid in p.name]
    assert len(forms) == 1
    text = "".join(page.extract_text() or "" for page in PdfReader(forms[0]).pages)
    assert note.split(";")[0] in " ".join(text.split())
    assert not [p for p in (home.desks / "08-kepala-dinas").glob("*.pdf") if cid in p.name]


def _signed_card(home: homes.Home, cid: str) -> Path:
    from pipeline import flow
    from pipeline.signing.backends import P12Backend
    from pipeline.signing.keys import read_passphrase

    env = Env(home, config.load(home.root))
    reg = Register(home.register_path)
    try:
        assert env.tte.head_of_office_p12 is not None
        backend = P12Backend(env.tte, env.tte.head_of_office_p12,
                             read_passphrase(home.state / "demo-pki" / "passphrase.txt"))
        flow.sign_from_terminal(env, reg, cid, backend=backend)
        return home.root / reg.find(cid).folder / SIGNED
    finally:
        reg.close()


def _cards(home: homes.Home, ids: dict[str, str], tmp_path: Path) -> dict[str, Path]:
    genuine = _signed_card(home, ids["JOHN SMITH"])
    data = bytearray(genuine.read_bytes())
    data[len(data) // 3] ^= 0x01  # one flipped byte inside the signed range
    tampered = tmp_path / "diubah.pdf"
    tampered.write_bytes(bytes(data))
    photo = tmp_path / "foto KK.jpg"
    phone_view(genuine, dpi=200, blur=0.6, angle=2.0).convert("RGB").save(photo, quality=85)
    return {"asli": genuine, "diubah": tampered, "foto": photo}


def test_the_verification_page_reads_genuine_tampered_and_photographed_cards(
        office, browser, tmp_path: Path) -> None:
    home, ids = office
    cards = _cards(home, ids, tmp_path)
    expected = {"asli": "ASLI", "diubah": "TIDAK ASLI", "foto": "ASLI"}
    with serving(home) as base:
        for what, path in cards.items():
            browser.get(base + "/verifikasi")
            field = "berkas-foto" if what == "foto" else "berkas-pdf"
            browser.find_element(By.ID, field).send_keys(str(path))
            _submit(browser, browser.find_element(By.CSS_SELECTOR,
                                                  f"#form-{field.split('-')[1]} button"))
            verdict = browser.find_element(By.CSS_SELECTOR, "#putusan .besar").text
            assert verdict == expected[what], (what, browser.find_element(By.ID, "alasan").text)
            if what != "diubah":
                assert ids["JOHN SMITH"] in browser.find_element(By.TAG_NAME, "main").text
            else:
                assert "berubah" in browser.find_element(By.ID, "alasan").text
            _fits_the_phone(browser)
            if what == "asli":
                _shot(browser, "verifikasi", tmp_path)


def test_a_card_its_change_replaced_reads_diganti_on_the_page_and_in_json(
        office, browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """John's card, genuine, then changed by Jane's case (linked as the change service's
    verification links it) whose new KK is signed later: DIGANTI on the page for the PDF and
    for a photo, naming Jane's case and the day; Jane's card ASLI; the same bytes seen
    before the change (their signature verdict kept) are DIGANTI after it."""
    from tests.test_verify_replaced import link

    home, ids = office
    john, jane = ids["JOHN SMITH"], ids["JANE DOE"]
    old = _signed_card(home, john)
    photo = tmp_path / "foto KK lama.jpg"
    phone_view(old, dpi=200, blur=0.6, angle=2.0).convert("RGB").save(photo, quality=85)
    with serving(home) as base:
        http = Client(base)
        assert json.loads(http.upload(old.read_bytes(), "kk.pdf").body)["status"] == "asli"
        link(home, jane, john)
        monkeypatch.setenv("KKWNA_NOW", "2026-11-25T10:15:00+08:00")
        new = _signed_card(home, jane)
        said = f"diganti oleh KK {jane} tanggal 25-11-2026"
        assert json.loads(http.upload(old.read_bytes(), "kk.pdf").body) == {
            "asli": False, "status": "diganti",
            "alasan": f"{said}; kartu ini tidak berlaku lagi",
            "nomor_register": john, "no_kk": tte_office.JOHN["no_kk"]}
        for what, path, expected in (("pdf", old, "DIGANTI"), ("foto", photo, "DIGANTI"),
                                     ("pdf", new, "ASLI")):
            browser.get(base + "/verifikasi")
            browser.find_element(By.ID, f"berkas-{what}").send_keys(str(path))
            _submit(browser, browser.find_element(By.CSS_SELECTOR, f"#form-{what} button"))
            verdict = browser.find_element(By.CSS_SELECTOR, "#putusan .besar").text
            reason = browser.find_element(By.ID, "alasan").text
            assert verdict == expected, (path.name, reason)
            box = browser.find_element(By.ID, "putusan").get_attribute("class")
            if expected == "DIGANTI":
                assert said in reason and "diganti" in box.split()
                assert john in browser.find_element(By.TAG_NAME, "main").text
                _fits_the_phone(browser)
                _shot(browser, f"verifikasi-diganti-{what}", tmp_path)
            else:
                assert "asli" in box.split() and jane in browser.find_element(
                    By.TAG_NAME, "main").text


def test_the_json_answer_over_plain_http(office, tmp_path: Path) -> None:
    home, ids = office
    cards = _cards(home, ids, tmp_path)
    with serving(home) as base:
        http = Client(base)
        genuine = http.upload(cards["asli"].read_bytes(), "kk.pdf")
        tampered = http.upload(cards["diubah"].read_bytes(), "kk.pdf")
        photo = http.upload(cards["foto"].read_bytes(), "foto.jpg")
        junk = http.upload(b"\x89PNG\r\n\x1a\n" + os.urandom(5000), "x.png")
        broken = http.upload(b"%PDF-1.7\n" + os.urandom(5000) + b"\n%%EOF", "x.pdf")
    assert genuine.status == 200 and genuine.headers["content-type"] == "application/json"
    assert json.loads(genuine.body) == {
        "asli": True, "status": "asli", "alasan": "KK asli: tanda tangan utuh dan terpercaya",
        "nomor_register": ids["JOHN SMITH"], "no_kk": tte_office.JOHN["no_kk"]}
    t = json.loads(tampered.body)
    assert (t["asli"], t["status"], t["nomor_register"], t["no_kk"]) == \
        (False, "tidak_asli", None, None)
    assert "berubah setelah ditandatangani" in t["alasan"]
    assert json.loads(photo.body)["asli"] is True
    for hostile in (junk, broken):  # TIDAK ASLI with a reason, never a 500
        assert hostile.status == 200 and json.loads(hostile.body)["asli"] is False
        assert json.loads(hostile.body)["alasan"]


def test_the_security_headers(office) -> None:
    home, _ = office
    with serving(home) as base:
        answer = Client(base).get("/verifikasi")
    h = answer.headers
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert "script-src" not in h["content-security-policy"]  # default-src 'none': no script
    assert (h["x-frame-options"], h["x-content-type-options"], h["referrer-policy"]) == \
        ("DENY", "nosniff", "no-referrer")
    assert h["cache-control"] == "no-store"
    assert "strict-transport-security" not in h  # plain HTTP: HSTS would lock the LAN out


def test_over_tls_hsts_is_sent_and_the_cookie_is_secure(office, tmp_path: Path) -> None:
    home, _ = office
    cert, key = self_signed(tmp_path)
    with serving(home, tls=(cert, key)) as base:
        http = Client(base, trust=cert)
        page = http.get("/masuk")
        answer = http.login(_head(home), PASSWORD)
    assert page.headers["strict-transport-security"] == "max-age=31536000"
    assert answer.status == 303
    cookie = answer.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie


def test_each_verification_has_a_time_limit_and_each_client_a_rate(office,
                                                                   tmp_path: Path) -> None:
    home, ids = office
    genuine = _signed_card(home, ids["JOHN SMITH"]).read_bytes()
    with serving(home, verify_seconds=0.001, verify_cache=0) as base:
        slow = json.loads(Client(base).upload(genuine, "kk.pdf").body)
    assert slow["asli"] is False and "batas waktu" in slow["alasan"]
    with serving(home, verify_per_minute=6, verify_burst=3) as base:
        http = Client(base)
        statuses = [http.upload(b"bukan KK", "x.txt").status for _ in range(4)]
        limited = http.upload(b"bukan KK", "x.txt")
    assert statuses == [200, 200, 200, 429]
    assert json.loads(limited.body)["alasan"].startswith("terlalu banyak permintaan")


def test_a_post_without_the_csrf_token_is_refused(office) -> None:
    home, ids = office
    with serving(home) as base:
        http = Client(base)
        http.get("/masuk")
        assert http.post("/masuk", {"nip": _head(home), "sandi": PASSWORD}).status == 403
        assert http.login(_head(home), PASSWORD).status == 303
        refused = http.post("/persetujuan/setujui", {"kasus": ids["JOHN SMITH"],
                                                     "sandi_sertifikat": _passphrase(home)})
        assert refused.status == 403
        forged = http.post("/persetujuan/setujui", {
            "csrf": "palsu", "kasus": ids["JOHN SMITH"], "sandi_sertifikat": _passphrase(home)})
        assert forged.status == 403
    assert _case(home, ids["JOHN SMITH"]).step == 8


def test_an_idle_session_expires_and_asks_for_the_login_again(office, browser) -> None:
    home, _ = office
    with serving(home, idle_seconds=3) as base:
        _login(browser, base, _head(home), PASSWORD)
        assert browser.current_url == base + "/persetujuan"
        time.sleep(3.5)
        browser.get(base + "/persetujuan")
        assert browser.current_url == base + "/masuk"
        assert browser.find_element(By.ID, "nip").is_displayed()


def test_the_sixth_wrong_passphrase_finds_the_nip_locked(office) -> None:
    home, ids = office
    with serving(home) as base:
        http = Client(base)
        assert http.login(_head(home), PASSWORD).status == 303
        answers = []
        for passphrase in [WRONG] * 5 + [_passphrase(home)]:
            answers.append(http.post("/persetujuan/setujui", {
                "csrf": http.csrf("/persetujuan"), "kasus": ids["JOHN SMITH"],
                "sandi_sertifikat": passphrase}))
        assert [a.status for a in answers] == [400] * 5 + [429]
        assert "kata sandi salah" in answers[0].text
        assert "terkunci" in answers[-1].text and "terkunci" in answers[4].text
        assert http.login(_head(home), PASSWORD).status == 429  # the login too, until time
    assert _case(home, ids["JOHN SMITH"]).step == 8


def test_wrong_passwords_lock_the_login_and_time_unlocks_it(office) -> None:
    home, _ = office
    with serving(home, lockout_seconds=4) as base:  # long enough for five slow argon2 checks
        http = Client(base)
        assert [http.login(_head(home), WRONG).status for _ in range(5)] == [401] * 5
        last = time.monotonic()
        assert http.login(_head(home), PASSWORD).status == 429
        time.sleep(max(0.0, last + 4.1 - time.monotonic()))
        assert http.login(_head(home), PASSWORD).status == 303


def test_a_nip_that_is_not_the_head_sees_the_board_not_the_queue(office, browser, monkeypatch,
                                                                 tmp_path: Path) -> None:
    home, ids = office
    monkeypatch.setenv("KKWNA_NOW", "2026-11-23T10:00:00+08:00")  # an hour at step 8: late
    with serving(home) as base:
        _login(browser, base, KEPALA_BIDANG, STAFF_PASSWORD)
        assert browser.current_url == base + "/papan"
        board = browser.find_element(By.ID, "langkah-8").text
        assert all(cid in board for cid in ids.values()) and "3 TERLAMBAT" in board
        _fits_the_phone(browser)
        _shot(browser, "papan", tmp_path)
        browser.get(base + "/persetujuan")
        assert "hanya untuk Kepala Dinas" in browser.find_element(By.TAG_NAME, "main").text
        assert not browser.find_elements(By.CSS_SELECTOR, "article.kasus")
        http = Client(base)
        assert http.login(KEPALA_BIDANG, STAFF_PASSWORD).status == 303
        assert http.get(f"/persetujuan/{ids['JOHN SMITH']}/pratinjau.png").status == 403
        assert http.get("/persetujuan").status == 403
        assert Client(base).get("/papan").status == 303  # not logged in: to the login


def _raw_post(base: str, head: bytes, body_chunks: int, chunk: bytes) -> tuple[bytes, float]:
    """Send *head*, then body chunks until the server answers or closes; the answer's first
    bytes and the seconds it took."""
    host, port = base.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(head)
        for _ in range(body_chunks):
            readable, _, _ = select.select([s], [], [], 0)
            if readable:  # an answer (or a close) came before the whole body
                break
            try:
                s.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
        answer = b""
        while b"\r\n\r\n" not in answer:
            more = s.recv(65536)
            if not more:
                break
            answer += more
    return answer, time.monotonic() - started


def test_30_mb_and_400_megapixels_are_refused_quickly(office) -> None:
    home, _ = office
    with serving(home) as base:
        boundary = "batas"
        declared = (f"POST /verifikasi HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
                    f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                    f"Content-Length: {30 * 1024 * 1024}\r\n\r\n").encode()
        answer, took = _raw_post(base, declared, 480, b"\0" * 65536)
        assert answer.startswith(b"HTTP/1.1 413") and took < 2, (answer[:100], took)
        # no Content-Length (chunked): counted while read, refused past 20 MB
        start = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; "
                 f"filename=\"besar.pdf\"\r\n\r\n").encode()
        chunked = (f"POST /verifikasi HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
                   f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                   f"Transfer-Encoding: chunked\r\n\r\n{len(start):x}\r\n").encode() \
            + start + b"\r\n"
        piece = b"\0" * 65536
        answer, took = _raw_post(base, chunked, 480, f"{len(piece):x}\r\n".encode() + piece
                                 + b"\r\n")
        assert answer.startswith(b"HTTP/1.1 413") and took < 5, (answer[:100], took)
        bomb = decompression_bomb_png(20_000, 20_000)
        assert len(bomb) < 2 * 1024 * 1024
        started = time.monotonic()
        refused = Client(base).upload(bomb, "foto.png")
        took = time.monotonic() - started
    verdict = json.loads(refused.body)
    assert verdict["asli"] is False and "gambar terlalu besar" in verdict["alasan"], verdict
    assert took < 2, took


def test_the_password_command_asks_twice_and_stores_only_an_argon2_hash(office,
                                                                         tmp_path) -> None:
    home, _ = office
    (home.state / "sandi-web.json").unlink()
    asked = _kkwna(home, "pengguna", "sandi", _head(home), input=f"{PASSWORD}\n{PASSWORD}\n")
    assert asked.exit_code == 0, asked.output
    assert "Sandi baru" in asked.output and "Ulangi sandi" in asked.output  # asked twice
    assert check_password(home, _head(home), PASSWORD)
    assert not check_password(home, _head(home), WRONG)
    typo = _kkwna(home, "pengguna", "sandi", _head(home), input="satu-sandi-1\ndua-sandi-22\n")
    assert typo.exit_code != 0
    stored = (home.state / "sandi-web.json").read_text()
    assert PASSWORD not in stored and "$argon2id$" in stored
    assert (home.state / "sandi-web.json").stat().st_mode & 0o077 == 0
    secret = tmp_path / "sandi.txt"
    secret.write_text("sandi-baru-dari-berkas\n")
    done = _kkwna(home, "pengguna", "sandi", _head(home), "--password-file", str(secret))
    assert done.exit_code == 0, done.output
    assert "sandi-baru-dari-berkas" not in (home.state / "sandi-web.json").read_text()
    unknown = _kkwna(home, "pengguna", "sandi", "199901011999011999", "--password-file",
                     str(secret))
    assert unknown.exit_code == 1 and "tidak terdaftar" in unknown.output


def test_the_pages_speak_bahasa_indonesia_and_label_every_control(office, browser) -> None:
    home, _ = office
    with serving(home) as base:
        _login(browser, base, _head(home), PASSWORD)
        for path in ("/persetujuan", "/papan", "/verifikasi"):
            browser.get(base + path)
            assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "id"
            for control in browser.find_elements(By.CSS_SELECTOR,
                                                 "input:not([type=hidden]), textarea"):
                ident = control.get_attribute("id")
                named = bool(ident) and browser.find_elements(By.CSS_SELECTOR,
                                                              f"label[for='{ident}']")
                wrapped = control.find_elements(By.XPATH, "ancestor::label")
                assert named or wrapped, (path, control.get_attribute("outerHTML"))


def test_two_approvals_of_the_same_kk_at_once_sign_it_once(office) -> None:
    import threading

    home, ids = office
    cid = ids["JANE DOE"]
    with serving(home) as base:
        clients = [Client(base), Client(base)]
        tokens = []
        for http in clients:
            assert http.login(_head(home), PASSWORD).status == 303
            tokens.append(http.csrf("/persetujuan"))
        answers: list[Any] = [None, None]

        def approve(k: int) -> None:
            answers[k] = clients[k].post("/persetujuan/setujui", {
                "csrf": tokens[k], "kasus": cid, "sandi_sertifikat": _passphrase(home)})
        threads = [threading.Thread(target=approve, args=(k,)) for k in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    pages = sorted(a.text for a in answers)
    assert sum("1 KK ditandatangani" in p for p in pages) == 1
    assert sum("tidak menunggu tanda tangan" in p for p in pages) == 1
    assert [e[1] for e in _events(home, cid) if e[0] == 8] == ["ditandatangani"]


def test_kkwna_serve_starts_the_door_and_wants_cert_and_key_together(office,
                                                                     tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.webdoor import free_port

    home, _ = office
    cert, _key = self_signed(tmp_path)
    half = _kkwna(home, "serve", "--cert", str(cert))
    assert half.exit_code == 2 and "--cert dan --key" in half.output
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--home", str(home.root),
                             "serve", "--port", str(port)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = Client(f"http://127.0.0.1:{port}").get("/verifikasi")
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        assert answer.status == 200 and "Verifikasi Kartu Keluarga WNA" in answer.text
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/verifikasi" in err.decode()
