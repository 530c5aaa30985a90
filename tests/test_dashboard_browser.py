"""The dashboard in a real browser: Debian's chromium driven by Playwright (the system browser,
through executable_path; nothing is downloaded). One emulator and one browser for all of these
tests, a tenant per test. Each test saves a screenshot of its page in test-artifacts/dashboard/."""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, START
from playwright.sync_api import Browser, Page, expect, sync_playwright

from emulator.settings import Settings
from emulator.testing.handle import EmulatorHandle
from emulator.testing.inprocess import BackgroundEmulator

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts" / "dashboard"
XSS = "<img src=x onerror=alert(1)>"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip



@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    settings = Settings(port=0, seed=3, clock_mode="manual", clock_start=START)
    with BackgroundEmulator(settings) as server:
        yield server.url


# The browser lives as long as this module's tests (all of the dashboard's): Playwright's sync API
# keeps its event loop registered on the main thread while it runs, which the other modules'
# async tests could not share, so it must be gone before they start.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        missing = f"chromium not found at {CHROMIUM}: `apt-get install chromium` (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(missing)  # CI installs it, so a missing browser there is a failure
        pytest.skip(missing)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


class Refused(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class Tenant(EmulatorHandle):
    """The test's tenant, seen through the API as a client would."""

    def api(self, method: str, path: str, body: object = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            **self.headers, "Content-Type": "application/json"})  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            with error:
                raise Refused(error.code, json.loads(error.read() or b"null")) from None

    def import_csv(self, content: str) -> str:
        boundary = "dashboard-test-boundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"import.csv\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n"
                f"--{boundary}--\r\n").encode()  # fmt: skip
        request = urllib.request.Request(self.url + "/v1/customers/importCSV", data=body, headers={
            **self.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return str(json.loads(response.read())["async_action_id"])

    def segment_names(self, customer: str) -> list[str]:
        return [s["name"] for s in self.api("GET", f"/v1/customers/{customer}/segments")["data"]]

    def members(self, segment_id: str) -> list[str]:
        query = urllib.parse.urlencode({"segment_id": segment_id})
        return [c["source_id"] for c in self.api("GET", f"/v1/customers?{query}")["customers"]]


@pytest.fixture
def tenant(server_url: str, request: pytest.FixtureRequest) -> Tenant:
    handle = Tenant(server_url, "ui-" + request.node.name.replace("[", "-").rstrip("]"))
    handle.reset()
    return handle


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"),
                                        dialog.dismiss()))  # fmt: skip
    yield opened
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    opened.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()
    assert problems == []  # no script error, and nothing (an injected alert) opened a dialog


def open_view(page: Page, tenant: Tenant, view: str) -> None:
    page.goto(f"{tenant.url}/_emulator/ui?tenant={urllib.parse.quote(tenant.app_id)}#{view}")
    expect(page.locator("#clock-mode")).to_have_text("manual")


def upload(page: Page, tmp_path: Path, content: str | bytes, name: str = "customers.csv") -> None:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    page.get_by_label("Customer list (.csv)").set_input_files(path)
    page.get_by_role("button", name="Upload", exact=True).click()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def test_upload_new_list_then_customers_appear(page: Page, tenant: Tenant, tmp_path: Path) -> None:
    open_view(page, tenant, "upload")
    upload(page, tmp_path, "identifier,name,email,loyalty_points,customer segment test\n"
           "nina,Nina,nina@example.com,40,New\nomar,Omar,omar@example.com,0,New\n")  # fmt: skip
    expect(page.get_by_role("heading", name="Customer list uploaded")).to_be_visible()
    expect(page.locator("#upload-message")).to_have_text(
        "2 customer(s) created, 0 updated, 0 unchanged, 0 not updated.")
    expect(page.locator("#uploads-table tbody tr").first).to_contain_text("CONFIRMED")
    shot(page, "upload-confirmation")

    page.get_by_role("link", name="Customers", exact=True).click()
    nina = page.locator("#customers-table tbody tr", has_text="nina@example.com")
    expect(page.locator("#customers-table tbody tr")).to_have_count(2)
    expect(nina.locator("td").nth(3)).to_have_text("40")
    expect(nina.locator(".chip")).to_have_text("customer segment test: New")
    customer = tenant.api("GET", "/v1/customers/nina")
    assert (customer["name"], customer["loyalty"]["points"]) == ("Nina", 40)
    assert tenant.segment_names("nina") == ["customer segment test: New"]


def test_existing_rows_preview_then_update_moves_segment(
    page: Page, tenant: Tenant, tmp_path: Path
) -> None:
    tenant.control("POST", "/_emulator/customers", {
        "identifier": "ann", "name": "Ann", "segments": {"customer segment test": "New"}})
    new_segment = tenant.api("GET", "/v1/customers/ann/segments")["data"][0]["id"]
    open_view(page, tenant, "upload")
    upload(page, tmp_path, "identifier,customer segment test\nann,Existing\nbea,New\n")
    expect(page.get_by_role("heading", name="Some customers already exist")).to_be_visible()
    existing = page.locator("#existing-table tbody tr")
    expect(existing).to_have_count(1)
    expect(existing.first).to_contain_text("ann")
    expect(existing.first).to_contain_text("customer segment test: New → Existing")
    expect(page.locator("#new-table tbody tr")).to_have_count(1)
    expect(page.locator("#new-table tbody tr").first).to_contain_text("bea")
    assert tenant.segment_names("ann") == ["customer segment test: New"]  # nothing applied yet
    shot(page, "upload-preview")

    page.get_by_role("button", name="Update customers").click()
    expect(page.locator("#upload-message")).to_have_text(
        "1 customer(s) created, 1 updated, 0 unchanged, 0 not updated.")
    assert tenant.segment_names("ann") == ["customer segment test: Existing"]
    assert tenant.members(new_segment) == ["bea"]  # ann moved out of "New"
    page.get_by_role("link", name="Customers", exact=True).click()
    ann = page.locator("#customers-table tbody tr", has_text="ann")
    expect(ann.locator(".chip")).to_have_text("customer segment test: Existing")


def test_bad_file_shows_troubleshooting_errors(page: Page, tenant: Tenant, tmp_path: Path) -> None:
    open_view(page, tenant, "upload")
    upload(page, tmp_path, "identifier,email,loyalty_points\nok,ok@example.com,1\n,bad-email,-4\n")
    errors = page.get_by_role("alert")
    expect(errors.get_by_role("heading", name="Troubleshooting errors")).to_be_visible()
    expect(errors.locator("tbody tr")).to_have_text([
        "23identifierThe identifier is empty",
        "23email'bad-email' is not a valid email address",
        "23loyalty_pointsmust be a non-negative integer up to 2,147,483,647 (got '-4')",
    ])
    shot(page, "upload-troubleshooting")
    upload(page, tmp_path, "email,name\na@example.com,A\n", name="no-identifier.csv")
    expect(errors.locator("tbody tr")).to_have_text(
        ["—1identifierThe header has no identifier column; it must contain 'identifier'"])
    assert tenant.api("GET", "/v1/customers")["total"] == 0
    expect(page.locator("#uploads-table tbody tr").first).to_contain_text("INVALID")


def test_import_progress_reaches_100_after_advancing_the_clock(page: Page, tenant: Tenant) -> None:
    tenant.control("POST", "/_emulator/async-actions/timings", {
        "type": "CUSTOMERS.IMPORT_CSV", "queue_delay": 0, "item_seconds": 0.01,
        "portion_size": 50})  # fmt: skip
    job = tenant.import_csv("Source_id,Name\n" + "".join(f"p{n},P{n}\n" for n in range(100)))
    open_view(page, tenant, "jobs")
    row = page.locator(f'#jobs-table tr[data-id="{job}"]')
    bar = row.get_by_role("progressbar", name=f"Progress of {job}")
    expect(bar).to_have_attribute("value", "0")
    page.get_by_label("Step").select_option(label="0.1 s")
    for _ in range(5):  # half the work: the first portion of 50 rows
        page.get_by_role("button", name="Advance").click()
    expect(bar).to_have_attribute("value", "50")
    expect(row.locator(".pct")).to_have_text("50%")
    expect(row.locator(".badge")).to_have_text("IN_PROGRESS")
    page.get_by_label("Step").select_option(label="1 s")
    page.get_by_role("button", name="Advance").click()
    expect(bar).to_have_attribute("value", "100")
    expect(row.locator(".pct")).to_have_text("100%")
    expect(row.locator(".badge")).to_have_text("DONE")
    expect(row).to_contain_text("100 customer(s) imported successfully, 0 failed.")
    expect(page.locator("#clock-now")).to_have_text("2026-01-15 09:30:01 UTC")
    assert tenant.api("GET", f"/v1/async-actions/{job}")["progress"] == 100


def test_hold_release_and_fail_from_the_page(page: Page, tenant: Tenant) -> None:
    # A job on an idle queue starts at once; ask for a queue delay so both wait to be held.
    tenant.api("POST", "/_emulator/async-actions/timings",
               {"type": "CUSTOMERS.IMPORT_CSV", "queue_delay": 1})  # fmt: skip
    first = tenant.import_csv("Source_id\na\n")
    second = tenant.import_csv("Source_id\nb\n")
    open_view(page, tenant, "jobs")
    row = page.locator(f'#jobs-table tr[data-id="{first}"]')
    row.get_by_role("button", name="Hold").click()
    expect(row).to_contain_text("(held)")
    page.get_by_role("button", name="Run until idle").click()
    expect(page.locator("#notice")).to_have_text("1 async action(s) finished; 1 held")
    expect(row.locator(".badge")).to_have_text("IN_PROGRESS")
    row.get_by_role("button", name="Release").click()
    expect(row).not_to_contain_text("(held)")
    page.get_by_role("button", name="Run until idle").click()
    expect(row.locator(".badge")).to_have_text("DONE")
    third = tenant.import_csv("Source_id\nc\n")
    third_row = page.locator(f'#jobs-table tr[data-id="{third}"]')
    page.get_by_label("Reason for Fail").fill("Simulated outage")
    third_row.get_by_role("button", name="Fail").click()
    expect(third_row.locator(".badge")).to_have_text("FAILED")
    expect(third_row).to_contain_text("Simulated outage")
    assert tenant.api("GET", f"/v1/async-actions/{second}")["status"] == "DONE"
    assert tenant.api("GET", f"/v1/async-actions/{third}")["status"] == "FAILED"


def test_xss_name_renders_as_text(page: Page, tenant: Tenant, tmp_path: Path) -> None:
    tenant.api("POST", "/v1/customers", {"source_id": "x1", "name": XSS, "email": "x@example.com"})
    open_view(page, tenant, "customers")
    cell = page.locator("#customers-table tbody tr", has_text="x1").locator("td").nth(1)
    expect(cell).to_have_text(XSS)
    page.get_by_role("link", name="Upload customer list").click()
    upload(page, tmp_path, f"identifier,name,email\nx1,Safe,{XSS}\n")
    expect(page.get_by_role("alert").locator("tbody tr")).to_contain_text([XSS])
    page.get_by_role("link", name="Request journal").click()
    expect(page.locator("#journal-table tbody tr").first).to_contain_text("/v1/customers")
    page.locator("#journal-table summary").first.click()
    expect(page.locator("#journal-table pre").first).to_contain_text(XSS)
    assert page.locator("main img").count() == 0  # nothing became an element


def test_add_new_customer_with_the_keyboard(page: Page, tenant: Tenant) -> None:
    open_view(page, tenant, "customers")
    page.get_by_label("Search").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Add new customer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Identifier")).to_be_focused()
    for text in ("kim", "Kim", "kim@example.com", "75", "customer segment test", "New"):
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # on "Add customer"
    expect(page.locator("#notice")).to_have_text("Customer kim added")
    kim = page.locator("#customers-table tbody tr", has_text="kim@example.com")
    expect(kim.locator("td").nth(3)).to_have_text("75")
    expect(kim.locator(".chip")).to_have_text("customer segment test: New")
    assert tenant.api("GET", "/v1/customers/kim")["loyalty"]["points"] == 75


def colour(page: Page, name: str) -> tuple[int, int, int]:
    button = page.get_by_role("button", name=name, exact=True)
    expect(button).to_be_visible()
    text = button.evaluate("(el) => getComputedStyle(el).backgroundColor")
    red, green, blue = (int(part) for part in re.findall(r"\d+", text)[:3])
    return red, green, blue


def test_the_add_button_is_green_and_the_upload_button_yellow(page: Page, tenant: Tenant) -> None:
    open_view(page, tenant, "customers")
    red, green, blue = colour(page, "Add new customer")
    assert green > red + 40 and green > blue + 40, (red, green, blue)  # green
    page.get_by_role("link", name="Upload customer list").click()
    red, green, blue = colour(page, "Upload")
    assert min(red, green) > 150 and blue < min(red, green) - 100, (red, green, blue)  # yellow
    shot(page, "upload-button")


def test_journal_filters_and_faults(page: Page, tenant: Tenant) -> None:
    tenant.api("POST", "/v1/customers", {"source_id": "ok"})
    with pytest.raises(Refused) as rejected:
        tenant.api("GET", "/v1/customers?limit=500")
    assert rejected.value.status == 400
    open_view(page, tenant, "journal")
    rows = page.locator("#journal-table tbody tr")
    expect(rows).to_have_count(2)
    page.locator("#view-journal").get_by_label("Status").select_option(label="error (≥ 400)")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("request_rejected")
    shot(page, "journal")

    page.get_by_role("link", name="Faults").click()
    page.get_by_label("Path (glob)").fill("/v1/customers*")
    page.locator("#fault-form").get_by_label("Status", exact=True).fill("503")
    page.get_by_label("Times (empty: every request)").fill("1")
    page.get_by_role("button", name="Add fault").click()
    faults = page.locator("#faults-table tbody tr")
    expect(faults).to_have_count(1)
    expect(faults.first).to_contain_text("status 503")
    with pytest.raises(Refused) as refused:
        tenant.api("GET", "/v1/customers")
    assert refused.value.status == 503  # and the fault, used once, is gone:
    page.get_by_label("Times (empty: every request)").fill("")
    page.get_by_role("button", name="Add fault").click()
    expect(faults).to_have_count(1)
    expect(faults.first).to_contain_text("every request")
    with pytest.raises(Refused):
        tenant.api("GET", "/v1/customers")
    page.get_by_role("button", name="Clear this tenant's faults").click()
    expect(faults).to_have_text(["No faults."])
    assert tenant.api("GET", "/v1/customers")["total"] == 1


def test_tenant_picker(page: Page, tenant: Tenant) -> None:
    tenant.api("POST", "/v1/customers", {"source_id": "picked", "name": "Picked"})
    page.goto(f"{tenant.url}/")  # a browser opening / lands on the dashboard
    expect(page).to_have_url(f"{tenant.url}/_emulator/ui")
    page.get_by_label("Tenant (X-App-Id)").fill(tenant.app_id)
    page.get_by_role("button", name="Open tenant").click()
    expect(page.locator("#customers-table tbody tr")).to_have_count(1)
    expect(page.locator("#customers-table tbody")).to_contain_text("Picked")
    expect(page).to_have_url(re.compile(rf"/_emulator/ui\?tenant={tenant.app_id}$"))


# For every element with text of its own: its colour against the first opaque background
# behind it (WCAG 2 relative luminance); and every form field: its label.
AUDIT = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] === 1) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.checkVisibility()) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const text = el.textContent.trim().slice(0, 30);
    if (ratio < 4.5) low.push(`${el.tagName}.${el.className} "${text}" ${ratio.toFixed(2)}`);
  }
  const unlabelled = [...document.querySelectorAll("input, select")]
    .filter((el) => !el.labels.length && !el.getAttribute("aria-label")).map((el) => el.outerHTML);
  return { low, unlabelled };
}"""


def test_every_view_has_readable_contrast_and_labelled_fields(
    page: Page, tenant: Tenant, tmp_path: Path
) -> None:
    tenant.control("POST", "/_emulator/customers", {
        "identifier": "ann", "segments": {"customer segment test": "New"}})  # fmt: skip
    tenant.import_csv("Source_id\na\n")
    open_view(page, tenant, "upload")
    upload(page, tmp_path, "identifier,customer segment test\nann,Existing\n")
    expect(page.get_by_role("button", name="Update customers")).to_be_visible()
    for view in ("upload", "customers", "jobs", "journal", "faults"):
        page.get_by_role("link", name={"upload": "Upload customer list", "customers": "Customers",
                         "jobs": "Async actions", "journal": "Request journal",
                         "faults": "Faults"}[view], exact=True).click()  # fmt: skip
        expect(page.locator(f"#view-{view}")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert page.evaluate(AUDIT) == {"low": [], "unlabelled": []}, view
        shot(page, f"view-{view}")


@pytest.fixture(scope="module")
def guarded_url() -> Iterator[str]:
    settings = Settings(
        port=0, seed=3, clock_mode="manual", clock_start=START,
        credentials={"locked-app": "app-secret"}, admin_token="admin-secret",
    )  # fmt: skip
    with BackgroundEmulator(settings) as server:
        yield server.url


def test_a_guarded_emulator_needs_the_tokens_from_the_picker(
    page: Page, guarded_url: str
) -> None:
    """With --credentials and --admin-token the page works once the picker has both tokens;
    without the admin token it says why, and shows nothing."""
    owner = EmulatorHandle(guarded_url, "locked-app", "app-secret", admin_token="admin-secret")
    owner.reset()
    Tenant(guarded_url, "locked-app", "app-secret").api(
        "POST", "/v1/customers", {"source_id": "vault", "name": "Vault"})  # fmt: skip
    page.goto(f"{guarded_url}/_emulator/ui")
    page.get_by_label("Tenant (X-App-Id)").fill("locked-app")
    page.get_by_label("App token").fill("app-secret")
    page.get_by_role("button", name="Open tenant").click()
    expect(page.locator("#notice")).to_contain_text("HTTP 401")
    expect(page.locator("#customers-table tbody")).not_to_contain_text("Vault")
    page.get_by_label("Admin token").fill("admin-secret")
    page.get_by_role("button", name="Open tenant").click()
    expect(page.locator("#customers-table tbody tr")).to_have_count(1)
    expect(page.locator("#customers-table tbody")).to_contain_text("Vault")
    expect(page.locator("#clock-mode")).to_have_text("manual")
