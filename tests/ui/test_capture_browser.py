"""The capture page in a real browser (Debian's chromium, headless, phone-sized), end to end:
pair by the QR link, send a draft with two photos, drop the network and resume, then the office
confirms in the window's panel and the hazard is in the register with its photos."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from PIL import Image
from sqlalchemy import func, select

from desktop import clock
from desktop.capture.limits import Limits
from desktop.models import Attachment, CaptureDraft, Hazard
from desktop.services import inspections
from desktop.ui.capture_panel import CapturePanel
from tests.capture.test_capture_service import jpeg
from tests.factories import make_project

webdriver = pytest.importorskip("selenium.webdriver")
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium/chromedriver not installed")]


@pytest.fixture
def browser(tmp_path):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(arg)
    options.add_experimental_option("mobileEmulation", {  # a phone-sized viewport
        "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3}})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def drafts(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.execute(select(func.count()).select_from(CaptureDraft)).scalar_one()


def test_phone_page_end_to_end(state, db, admin, dialog_log, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    with db.session() as s:
        project = make_project(s, admin)
        insp = inspections.record(s, admin, inspections.InspectionForm(
            project_id=project.project, kind="full_coverage", date=clock.today(),
            inspector_ids=(admin.user_id,)))
    photos = []
    taken = clock.wall_now().replace(microsecond=0) - dt.timedelta(seconds=30)
    for colour in ("red", "blue"):
        path = tmp_path / f"{colour}.jpg"
        exif = Image.Exif()  # the phone's camera writes when it took the photo
        exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
        Image.new("RGB", (640, 480), colour).save(path, "JPEG", exif=exif)
        photos.append(str(path))
    panel = CapturePanel(state)
    panel.host, panel.port = "127.0.0.1", 0
    panel.toggle_server()
    panel.new_pairing()
    wait = WebDriverWait(browser, 20)
    try:
        browser.get(panel.pairing_url)
        assert browser.execute_script("return window.innerWidth") <= 400
        browser.find_element(By.ID, "devname").send_keys("测试手机")
        browser.find_element(By.ID, "pairbtn").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#inspection option"))
        assert Select(browser.find_element(By.ID, "inspection")).first_selected_option.get_attribute(
            "value") == str(insp.id)

        def add(description: str) -> None:
            browser.find_element(By.ID, "location").send_keys("2#楼")
            browser.find_element(By.ID, "description").send_keys(description)
            browser.find_element(By.ID, "photos").send_keys("\n".join(photos))
            browser.find_element(By.CSS_SELECTOR, "#draft button[type=submit]").click()

        add("电梯井口防护门缺失")
        wait.until(lambda _d: drafts(db) == 1)
        wait.until(lambda d: d.find_element(By.ID, "qcount").text == "0")

        browser.set_network_conditions(offline=True, latency=0, download_throughput=-1,
                                       upload_throughput=-1)
        add("卸料平台未设限载标识")
        wait.until(lambda d: d.find_element(By.ID, "qcount").text == "1")
        assert drafts(db) == 1  # queued on the phone while offline
        browser.set_network_conditions(offline=False, latency=0, download_throughput=-1,
                                       upload_throughput=-1)
        WebDriverWait(browser, 45).until(lambda _d: drafts(db) == 2)  # the online event or the 30 s retry
        wait.until(lambda d: d.find_element(By.ID, "qcount").text == "0")
    finally:
        panel.reload()

    with db.read() as s:
        assert s.execute(select(Hazard)).first() is None  # nothing unconfirmed in the register
    dialog_log.on_run = lambda dialog: dialog.measures.setPlainText("立即整改") or True
    panel.draft_table.selectRow(0)
    panel.confirm_draft()
    with db.read() as s:
        hazard = s.execute(select(Hazard)).scalar_one()
        stored = sorted((a.original_name, a.taken_at, a.taken_source) for a in s.execute(
            select(Attachment).where(Attachment.owner_type == "hazard", Attachment.owner_id == hazard.id)).scalars())
        assert hazard.description == "电梯井口防护门缺失"
        found_at = hazard.found_at
    assert stored == [("blue.jpg", taken, "exif"), ("red.jpg", taken, "exif")]
    if taken.date() == clock.today():  # (a run just after midnight takes the arrival time)
        assert found_at == taken  # when the phone took the photo, not when it arrived
    panel.close()
    assert not panel.server.running


def test_phone_page_says_when_it_sends_too_often_and_keeps_the_draft(state, db, admin, dialog_log,
                                                                      browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with db.session() as s:
        project = make_project(s, admin)
        inspections.record(s, admin, inspections.InspectionForm(
            project_id=project.project, kind="full_coverage", date=clock.today(),
            inspector_ids=(admin.user_id,)))
    path = tmp_path / "a.jpg"
    path.write_bytes(jpeg("green", size=(320, 240)))
    panel = CapturePanel(state)
    panel.server.limits = Limits(uploads_per_device=1)
    panel.host, panel.port = "127.0.0.1", 0
    panel.toggle_server()
    panel.new_pairing()
    wait = WebDriverWait(browser, 20)
    try:
        browser.get(panel.pairing_url)
        browser.find_element(By.ID, "pairbtn").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#inspection option"))
        def add(description: str) -> None:
            browser.find_element(By.ID, "description").send_keys(description)
            browser.find_element(By.ID, "photos").send_keys(str(path))
            browser.find_element(By.CSS_SELECTOR, "#draft button[type=submit]").click()

        add("临边防护缺失")
        wait.until(lambda d: drafts(db) == 1 and d.find_element(By.ID, "qcount").text == "0")
        add("配电箱未上锁")  # a second draft within the minute: one too many for this phone
        wait.until(lambda d: "发送过于频繁" in d.find_element(By.ID, "notice").text)
        assert "秒后再试" in browser.find_element(By.ID, "notice").text
        assert drafts(db) == 1
        queue = browser.find_element(By.ID, "queue").text
        assert browser.find_element(By.ID, "qcount").text == "1" and "配电箱未上锁" in queue
        assert "未被接受" not in queue  # kept to send again, not given up
    finally:
        panel.close()
