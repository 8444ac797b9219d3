#!/usr/bin/env python3
"""The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, driven by
selenium; no browser is downloaded). Run by DashboardBrowserTests (Swift), which starts the
database's workflows, a worker and `steadfast dashboard`, then this script with:

  DASHBOARD_URL   where the dashboard answers
  QUEUE           the test's queue; its workflows are the test's
  SCREENSHOTS     where to save screenshots (dist/dashboard)

It prints one JSON object per check and exits 1 if any failed.
"""
import json
import os
import sys
import time
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ["DASHBOARD_URL"].rstrip("/")
QUEUE = os.environ["QUEUE"]
SHOTS = os.environ.get("SCREENSHOTS", "dist/dashboard")
os.makedirs(SHOTS, exist_ok=True)
failures = []


def check(name, ok, **detail):
    print(json.dumps({"check": name, "ok": bool(ok), **detail}, sort_keys=True), flush=True)
    if not ok:
        failures.append(name)


def url(path, **query):
    return BASE + path + ("?" + urllib.parse.urlencode(query) if query else "")


def retrying(action, seconds=20):
    """Runs `action` again when a live page replaced the element it held (a refresh of <main>),
    for up to `seconds`: a loaded machine can take longer than one refresh between two calls."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return action()
        except StaleElementReferenceException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def text(css):
    """The rendered text of the first element matching `css` ("" if none), read in one script
    so that a refresh of the live page cannot replace the element between finding and reading."""
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : '';", css)


def attributes(css, name):
    """The attribute `name` of every element matching `css`, read in one script (atomic with
    respect to the page's own refreshes, unlike a find followed by one read per element)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]), e => e.getAttribute(arguments[1]));",
        css, name)


def click(by, value):
    retrying(lambda: driver.find_element(by, value).click())


def select(by, value, option):
    retrying(lambda: Select(driver.find_element(by, value)).select_by_value(option))


def wait_for(condition, timeout=20):
    try:
        WebDriverWait(driver, timeout, poll_frequency=0.2,
                      ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: condition())
        return True
    except TimeoutException:
        return False


def shot(name):
    driver.save_screenshot(os.path.join(SHOTS, name + ".png"))


def ids_listed():
    return attributes("#workflows tbody tr", "data-id")


options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000"):
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
try:
    # 1. The list: the test's workflows, with their statuses.
    driver.get(url("/", queue=QUEUE))
    listed = ids_listed()
    check("list shows the queue's workflows", {"ok-1", "fail-1", "fail-2", "fail-3"} <= set(listed), listed=listed)
    check("a failed one is shown failed",
          text('tr[data-id="fail-1"] .status') == "failed")
    shot("workflows")

    # 2. Filter by status with the form.
    select(By.NAME, "status", "failed")
    click(By.CSS_SELECTOR, "#filters button[type=submit]")
    wait_for(lambda: "status=failed" in driver.current_url)
    listed = ids_listed()
    check("the status filter keeps only failed ones", set(listed) == {"fail-1", "fail-2", "fail-3"}, listed=listed)

    # 3. A failed workflow: its error and steps; fork it from step 2 and watch the fork complete.
    click(By.CSS_SELECTOR, 'tr[data-id="fail-1"] a')
    wait_for(lambda: driver.find_elements(By.ID, "workflow-id"))
    check("the workflow page shows its error", "card declined" in text("#error"))
    steps = attributes("#timeline .step", "data-key")
    check("the timeline shows its steps", steps == ["reserve", "charge"], steps=steps)
    shot("workflow-failed")
    select(By.ID, "fork-step", "2")
    click(By.ID, "fork")
    wait_for(lambda: driver.find_elements(By.ID, "forked-from"))
    check("the fork's page names its original", text("#forked-from") == "fail-1")
    completed = wait_for(lambda: text("#status") == "succeeded", timeout=30)
    check("the fork completes, seen without a reload", completed, status=text("#status"))
    steps = attributes("#timeline .step", "data-key")
    check("the fork reused step 1 and ran 2 and 3", steps == ["reserve", "charge", "ship"], steps=steps)
    shot("workflow-forked")

    # 4. Cancel a running one.
    driver.get(url("/workflow", id="slow-cancel"))
    wait_for(lambda: text("#status") == "running")
    click(By.ID, "cancel")
    wait_for(lambda: driver.find_elements(By.ID, "notice"))
    check("cancel: the workflow is cancelled", text("#status") == "cancelled", status=text("#status"))

    # 5. Live: a running workflow's new steps appear without a reload.
    driver.get(url("/workflow", id="slow-live"))
    driver.execute_script("window.__notReloaded = true")
    before = len(attributes("#timeline .step", "data-key"))
    grew = wait_for(lambda: len(attributes("#timeline .step", "data-key")) >= before + 2, timeout=20)
    after = len(attributes("#timeline .step", "data-key"))
    check("new steps appear live", grew, before=before, after=after)
    check("…without a reload", driver.execute_script("return window.__notReloaded === true"))
    shot("workflow-live")

    # 6. Bulk resume by filter: a preview with the count, then the confirmation.
    driver.get(url("/", queue=QUEUE, status="failed", name="DashOrder"))
    expected = len(ids_listed())
    click(By.ID, "bulk-resume")
    wait_for(lambda: driver.find_elements(By.ID, "preview"))
    count = retrying(lambda: driver.find_element(By.ID, "preview").get_attribute("data-count"))
    check("bulk resume previews the count", count == str(expected), count=count, expected=expected)
    shot("bulk-preview")
    click(By.ID, "confirm")
    wait_for(lambda: driver.find_elements(By.ID, "notice"))
    check("bulk resume resumed them", text("#notice").startswith(f"Resumed {expected} workflow"), notice=text("#notice"))

    # 7. Hostile input is shown as text.
    driver.get(url("/", queue=QUEUE))
    source = driver.page_source
    check("a hostile name is not markup", "<script>alert('name')</script>" not in source and "&lt;script&gt;" in source)
    try:
        driver.switch_to.alert
        check("no script ran", False)
    except NoAlertPresentException:
        check("no script ran", True)
    hostile_id = next((i for i in ids_listed() if i and i.startswith("hostile")), None)
    row_css = 'tr[data-id="%s"]' % hostile_id.replace("\\", "\\\\").replace('"', '\\"') if hostile_id else None
    check("the hostile row shows its name literally", bool(row_css) and "<script>alert('name')</script>" in text(row_css))
    click(By.CSS_SELECTOR, row_css + " a")
    wait_for(lambda: driver.find_elements(By.ID, "input"))
    check("the hostile input shows literally", "<img src=x onerror=alert('input')>" in text("#input"))
    try:
        driver.switch_to.alert
        check("no script ran on the workflow page", False)
    except NoAlertPresentException:
        check("no script ran on the workflow page", True)

    # 8. The other pages.
    driver.get(url("/queues"))
    check("queues lists the test's queue", bool(retrying(lambda: driver.find_elements(By.CSS_SELECTOR, f'tr[data-queue="{QUEUE}"]'))))
    shot("queues")
    driver.get(url("/executors"))
    check("executors lists a live worker",
          "alive" in driver.execute_script(
              "return Array.from(document.querySelectorAll('#executors td'), e => e.innerText.trim());"))
    shot("executors")
    driver.get(url("/schedules"))
    check("schedules answers", bool(driver.find_elements(By.TAG_NAME, "h1")))
    shot("schedules")
    driver.get(url("/", queue=QUEUE))
    shot("dashboard")
finally:
    driver.quit()

print(json.dumps({"failures": failures}), flush=True)
sys.exit(1 if failures else 0)
