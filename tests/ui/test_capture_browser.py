"""The capture page in a real browser (Debian's chromium, headless, phone-sized), end to end:
pair by the QR link, send a draft with two photos, drop the network and resume, then the office
confirms in the window's panel and the hazard is in the register with its photos."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from desktop import clock
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
    for colour in ("red", "blue"):
        path = tmp_path / f"{colour}.jpg"
        path.write_bytes(jpeg(colour, size=(640, 480)))
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
        names = sorted(a.original_name for a in s.execute(
            select(Attachment).where(Attachment.owner_type == "hazard", Attachment.owner_id == hazard.id)).scalars())
        assert hazard.description == "电梯井口防护门缺失" and hazard.found_at.date() == clock.today()
    assert names == ["blue.jpg", "red.jpg"]
    panel.close()
    assert not panel.server.running
