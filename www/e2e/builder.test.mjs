// The dashboard builder against the real reference server with demo data: build, arrange, save,
// reload; the version check between two editors; drafts and the unsaved-changes warning; roles.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, assertAccessible, launch, newPage, login, screenshot } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const ADMIN = "admin@healthco.test";

async function signedIn(email = ADMIN, viewport) {
  const page = await newPage(browser, viewport);
  await login(page, email);
  await page.waitForSelector("a.dash-card");
  return page;
}

async function openBuilder(page, path = "/builder/new") {
  await page.goto(`${BASE}${path}`);
  await page.waitForSelector("input[name=dashboard-name]");
}

/** Opens the widget editor, picks data and kind, waits for the live preview, adds it. */
async function addWidget(page, { kind, dimension, title, ready }) {
  await page.click("button:has-text('Add widget')");
  const editor = page.locator(".builder-editor");
  await editor.waitFor();
  await editor.locator("select[name=dataset]").selectOption("validations");
  if (dimension) await editor.locator(`label.builder-check:has-text('${dimension}') input`).check();
  await editor.locator("select[name=kind]").selectOption(kind);
  if (title) await editor.locator("input[name=widget-title]").fill(title);
  await editor.locator(`.builder-preview ${ready}`).first().waitFor({ state: "attached", timeout: 30000 });
  await editor.locator("button:has-text('Add to dashboard')").click();
  await editor.waitFor({ state: "detached" });
}

const label = (page, title) => page.locator(`.builder-card[aria-label^='${title} —']`).getAttribute("aria-label");

/** Asserts a card's label (its place and size) matches, giving the page up to 5 s to redraw. */
async function placed(page, title, expected) {
  const deadline = Date.now() + 5000;
  let text = await label(page, title);
  while (!expected.test(text ?? "") && Date.now() < deadline) {
    await page.waitForTimeout(50);
    text = await label(page, title);
  }
  assert.match(text ?? "", expected, `${title}: its label`);
}

async function save(page) {
  await page.click(".builder-toolbar button:has-text('Save')");
  await page.locator(".builder-status:has-text('All changes saved')").waitFor({ timeout: 15000 });
}

test("an admin builds a dashboard with two widgets, arranges them, saves, and finds it after a reload", async () => {
  const page = await signedIn();
  await openBuilder(page);
  const name = `Builder e2e ${Date.now()}`;
  await page.fill("input[name=dashboard-name]", name);
  await page.fill("input[name=dashboard-description]", "Made by the builder test");

  await addWidget(page, { kind: "kpi", title: "Validations", ready: ".vt-kpi-value" });
  // Second widget: open the editor and look at it before adding (live preview from a real query).
  await page.click("button:has-text('Add widget')");
  const editor = page.locator(".builder-editor");
  await editor.locator("select[name=dataset]").selectOption("validations");
  await editor.locator("label.builder-check:has-text('Status') input").check();
  await editor.locator("select[name=kind]").selectOption("line");
  assert.equal(await editor.locator("select[name=granularity]").inputValue(), "1h", "line charts get a time bucket");
  await editor.locator("input[name=widget-title]").fill("Validations by status");
  await editor.locator(".builder-preview .vt-echart canvas").waitFor({ state: "attached", timeout: 30000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, "builder-editor-light");
  await editor.locator("button:has-text('Add to dashboard')").click();
  await editor.waitFor({ state: "detached" });
  await page.locator(".builder-card").nth(1).waitFor();
  assert.equal(await page.locator(".builder-card").count(), 2);
  // KPI 3×2 at the top left, the line chart (6×3) in the first free spot next to it.
  await placed(page, "Validations", /Column 1, row 1, 3 wide, 2 high/);
  await placed(page, "Validations by status", /Column 4, row 1, 6 wide, 3 high/);

  // Keyboard: arrows move, shift+arrows resize.
  const line = page.locator(".builder-card[aria-label^='Validations by status —']");
  await line.focus();
  await page.keyboard.press("Shift+ArrowDown");
  await page.keyboard.press("ArrowRight");
  await placed(page, "Validations by status", /Column 5, row 1, 6 wide, 4 high/);

  // Pointer: drag the KPI onto the line chart's column; the chart is pushed down, not overlapped.
  const kpi = page.locator(".builder-card[aria-label^='Validations —']");
  const grid = await page.locator(".builder-canvas .vt-grid").boundingBox();
  const column = (grid.width + 12) / 12;
  const from = await kpi.boundingBox();
  await page.mouse.move(from.x + 20, from.y + 40);
  await page.mouse.down();
  await page.mouse.move(from.x + 20 + column * 2, from.y + 40, { steps: 5 });
  await page.mouse.move(from.x + 20 + column * 4, from.y + 40, { steps: 5 });
  await page.mouse.up();
  await placed(page, "Validations", /Column 5, row 1, 3 wide, 2 high/);
  await placed(page, "Validations by status", /Column 5, row 3, 6 wide, 4 high/);
  // Resize with the corner handle: one column narrower.
  const handle = await line.locator(".builder-resize").boundingBox();
  await page.mouse.move(handle.x + 8, handle.y + 8);
  await page.mouse.down();
  await page.mouse.move(handle.x + 8 - column, handle.y + 8, { steps: 5 });
  await page.mouse.up();
  await placed(page, "Validations by status", /5 wide, 4 high/);

  // Undo/redo with the keyboard and the buttons.
  await page.locator(".builder-toolbar").click({ position: { x: 2, y: 2 } });
  await page.keyboard.press("Control+z");
  await placed(page, "Validations by status", /6 wide, 4 high/);
  await page.keyboard.press("Control+Shift+z");
  await placed(page, "Validations by status", /5 wide, 4 high/);
  await page.click("button:has-text('Undo')");
  await page.click("button:has-text('Redo')");
  await placed(page, "Validations by status", /5 wide, 4 high/);
  await screenshot(page, "builder-canvas-light");
  await assertAccessible(page, "builder: the canvas with two widgets");

  await save(page);
  await page.waitForURL(/\/dashboards\/[^/]+\/edit$/);
  const id = new URL(page.url()).pathname.split("/")[2];

  await page.reload();
  await page.locator(".builder-card").nth(1).waitFor();
  assert.equal(await page.inputValue("input[name=dashboard-name]"), name);
  assert.equal(await page.locator(".builder-card").count(), 2);
  await placed(page, "Validations by status", /Column 5, row 3, 5 wide, 4 high/);

  // It opens in the normal view, with real charts.
  await page.goto(`${BASE}/dashboards/${id}`);
  await page.locator("h1", { hasText: name }).waitFor();
  await page.waitForSelector(".vt-echart canvas", { state: "attached", timeout: 30000 });
  await page.locator(".vt-kpi-value").waitFor();
  await page.goto(`${BASE}/`);
  await page.locator("a.dash-card h2", { hasText: name }).waitFor();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a widget's filters narrow its preview, are checked as typed, and come back when edited", async () => {
  const page = await signedIn();
  await openBuilder(page);
  const name = `Filtered e2e ${Date.now()}`;
  await page.fill("input[name=dashboard-name]", name);
  await page.click("button:has-text('Add widget')");
  const editor = page.locator(".builder-editor");
  await editor.locator("select[name=dataset]").selectOption("validations");
  await editor.locator("select[name=kind]").selectOption("kpi");
  await editor.locator("input[name=widget-title]").fill("Invalid answers");
  const value = editor.locator(".builder-preview .vt-kpi-value");
  await value.waitFor({ timeout: 30000 });
  const all = (await value.textContent()).trim();
  // Only invalid answers: the preview asks again with the filter.
  assert.match(await editor.locator(".rule-filters").textContent(), /Every row of the dataset counts/);
  await editor.locator(".rule-filters button:text-is('Add filter')").click();
  await editor.locator("#widget-filter-0-field").selectOption("status");
  await editor.locator("#widget-filter-0-value").fill("INVALID");
  const deadline = Date.now() + 15000;
  while ((await value.textContent()).trim() === all && Date.now() < deadline) await page.waitForTimeout(100);
  assert.notEqual((await value.textContent()).trim(), all, "the preview follows the filter");
  // A value its field cannot take is named beside its row and keeps the widget out.
  await editor.locator(".rule-filters button:text-is('Add filter')").click();
  await editor.locator("#widget-filter-1-field").selectOption("latency_ms");
  await editor.locator("#widget-filter-1-op").selectOption("gt");
  await editor.locator("#widget-filter-1-value").fill("fast");
  assert.equal(await editor.locator("label[for=widget-filter-1-value] .field-error").textContent(), "Enter a number");
  assert.ok(await editor.locator("button:has-text('Add to dashboard')").isDisabled());
  await screenshot(page, "builder-editor-filters");
  await editor.locator("button[aria-label='Remove filter 2']").click();
  await editor.locator("button:has-text('Add to dashboard')").click();
  await editor.waitFor({ state: "detached" });
  await save(page);
  await page.waitForURL(/\/dashboards\/[^/]+\/edit$/);
  const id = new URL(page.url()).pathname.split("/")[2];
  // Stored as the contract's filter; edited again, the row is back as typed.
  const stored = await page.evaluate(async (id) => {
    const login = await (await fetch("/api/v1/auth/login", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@healthco.test", password: "vantage-demo" }) })).json();
    const r = await fetch(`/api/v1/dashboards/${id}`, { headers: { authorization: `Bearer ${login.accessToken}` } });
    return r.ok ? (await r.json()).widgets[0].query.filters : `HTTP ${r.status}`;
  }, id);
  assert.deepEqual(stored, [{ field: "status", op: "eq", value: "INVALID" }]);
  await page.reload();
  await page.locator(".builder-card").first().locator("button:text-is('Edit')").click();
  assert.equal(await page.locator("#widget-filter-0-value").inputValue(), "INVALID");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a concurrent edit is reported and nothing is lost", async () => {
  const first = await signedIn();
  await openBuilder(first);
  const name = `Conflict e2e ${Date.now()}`;
  await first.fill("input[name=dashboard-name]", name);
  await addWidget(first, { kind: "bar", dimension: "Intent", ready: ".vt-echart canvas" });
  await save(first);
  await first.waitForURL(/\/edit$/);
  const path = new URL(first.url()).pathname;

  const second = await signedIn();
  await openBuilder(second, path);
  await second.waitForSelector(".builder-card");
  await second.fill("input[name=dashboard-name]", `${name} (theirs)`);
  await save(second);

  // The first editor, still on the old version, saves: the dialog explains and offers choices.
  await first.fill("input[name=dashboard-description]", "mine");
  await first.click(".builder-toolbar button:has-text('Save')");
  const dialog = first.locator("[role=alertdialog]");
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /changed by someone else/);
  await screenshot(first, "builder-conflict-light");
  await assertAccessible(first, "builder: the save-conflict dialog");
  await dialog.locator("button:has-text('Keep editing')").click();
  await dialog.waitFor({ state: "detached" });
  assert.equal(await first.inputValue("input[name=dashboard-description]"), "mine");
  assert.match(await first.locator(".builder-status").textContent(), /someone else/);

  // Overwrite with mine: saved on top of their version.
  await first.click(".builder-toolbar button:has-text('Save')");
  await dialog.locator("button:has-text('Overwrite with mine')").click();
  await first.locator(".builder-status:has-text('All changes saved')").waitFor();

  // Now the second editor is behind: reload theirs, and Undo brings its own edit back.
  await second.fill("input[name=dashboard-description]", "second's text");
  await second.click(".builder-toolbar button:has-text('Save')");
  const dialog2 = second.locator("[role=alertdialog]");
  await dialog2.locator("button:has-text('Reload theirs')").click();
  await dialog2.waitFor({ state: "detached" });
  await second.waitForFunction(() => document.querySelector("input[name=dashboard-description]")?.value === "mine");
  assert.equal(await second.inputValue("input[name=dashboard-name]"), name);
  await second.click("button:has-text('Undo')");
  assert.equal(await second.inputValue("input[name=dashboard-description]"), "second's text");

  await first.reload();
  await first.waitForSelector(".builder-card");
  assert.equal(await first.inputValue("input[name=dashboard-description]"), "mine");
  assert.deepEqual([...first.errors, ...second.errors], []);
  await first.context().close();
  await second.context().close();
});

test("unsaved work warns before leaving and survives a reload as a draft", async () => {
  const page = await signedIn();
  await openBuilder(page);
  await page.fill("input[name=dashboard-name]", "Draft that must survive");
  await addWidget(page, { kind: "pie", dimension: "Error type", ready: ".vt-echart canvas" });

  // An in-app link asks first; staying keeps everything.
  const asked = [];
  page.once("dialog", (d) => { asked.push(d.type()); d.dismiss(); });
  await page.click("a.app-brand");
  assert.deepEqual(asked, ["confirm"]);
  assert.match(page.url(), /\/builder\/new$/);

  // Reloading triggers beforeunload; after it, the draft is offered and restored.
  page.once("dialog", (d) => { asked.push(d.type()); d.accept(); });
  await page.reload();
  assert.equal(asked[1], "beforeunload");
  const banner = page.locator(".builder-banner");
  await banner.waitFor();
  await banner.locator("button:has-text('Restore my changes')").click();
  assert.equal(await page.inputValue("input[name=dashboard-name]"), "Draft that must survive");
  assert.equal(await page.locator(".builder-card").count(), 1);
  // The restore is one undo step; back at the stored (blank) state there is no draft left.
  await page.click("button:has-text('Undo')");
  await page.waitForFunction(() => document.querySelectorAll(".builder-card").length === 0);
  await page.reload();
  await page.waitForSelector("input[name=dashboard-name]");
  assert.equal(await page.locator(".builder-banner").count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the builder works on a phone-sized screen", async () => {
  const page = await signedIn(ADMIN, { width: 375, height: 800 });
  await page.goto(`${BASE}/dashboards/healthco-ai-quality/edit`);
  await page.waitForSelector(".builder-card");
  await page.waitForSelector(".builder-card .vt-echart canvas", { state: "attached", timeout: 30000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px`);
  await screenshot(page, "builder-phone-light");
  await page.locator(".builder-card").first().locator("button:has-text('Edit')").click();
  await page.locator(".builder-editor .builder-preview .vt-card").waitFor();
  // The seeded KPI compares with the previous period; editing it keeps that (and its filters).
  await page.locator(".builder-editor .builder-preview .vt-kpi-previous").waitFor({ timeout: 30000 });
  await screenshot(page, "builder-phone-editor-light");
  await assertAccessible(page, "builder on a phone: the widget editor");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a viewer is told editing needs the tenant admin role", async () => {
  const page = await signedIn("viewer@healthco.test");
  for (const path of ["/builder/new", "/dashboards/healthco-latency/edit"]) {
    await page.goto(`${BASE}${path}`);
    const alert = page.locator(".builder-forbidden [role=alert]");
    await alert.waitFor();
    assert.match(await alert.textContent(), /You need the tenant admin role to edit dashboards/);
    assert.equal(await page.locator(".builder-canvas").count(), 0);
  }
  await page.context().close();
});
