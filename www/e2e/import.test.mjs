// New dataset from a file: a tenant admin imports a CSV with good and bad rows (the bad ones are
// listed with their CSV line numbers and reasons, and downloadable), builds a dashboard over the
// new dataset, watches its KPI move live when more rows arrive through the ingest API, and gets an
// embed snippet for it. Against the real reference server and SQLite.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { BASE, assertAccessible, launch, newPage, login, screenshot } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const ADMIN = "admin@healthco.test";

/** A CSV of recent orders: 40 good rows and three bad ones, on known lines. */
function ordersCsv() {
  const now = Date.now();
  const iso = (minutesAgo) => new Date(now - minutesAgo * 60_000).toISOString().replace(/\.\d+Z$/, "Z");
  const lines = ["time,Region,Amount (USD),Paid"];
  const regions = ["north", "south", "<b>east</b>", "west, far"];
  for (let i = 0; i < 40; i++) {
    const region = regions[i % regions.length];
    lines.push(`${iso(5 + i)},${region.includes(",") ? `"${region}"` : region},${(10 + i * 1.5).toFixed(2)},${i % 3 ? "yes" : "no"}`);
  }
  // Line 12: not a number (refused in the browser). Line 20: older than the dataset's
  // retention (refused by the server's 422, then the rest of that batch is resent). Line 30:
  // a missing value for the time field.
  lines.splice(11, 0, `${iso(3)},north,lots,yes`);
  lines.splice(19, 0, `1990-01-01T00:00:00Z,south,5,no`);
  lines.splice(29, 0, `,west,7,yes`);
  return lines.join("\r\n") + "\r\n";
}

async function adminToken() {
  const r = await fetch(`${BASE}/api/v1/auth/login`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: ADMIN, password: "vantage-demo" }),
  });
  return (await r.json()).accessToken;
}

test("a CSV becomes a live, embeddable dataset: import with refused lines, dashboard, live KPI, embed", async () => {
  const page = await newPage(browser);
  await login(page, ADMIN);
  await page.waitForSelector("a.dash-card");
  await page.click("nav a:has-text('Import')");
  await page.locator("h1", { hasText: "New dataset from a file" }).waitFor();
  await screenshot(page, "import-choose-1400");

  const stamp = Date.now();
  const csv = ordersCsv();
  await page.setInputFiles("input[type=file]", { name: `orders-${stamp}.csv`, mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.locator("table.import-columns").waitFor();
  const typeOf = (header) => page.locator(`select[aria-label='Type of ${header}']`).inputValue();
  assert.equal(await typeOf("time"), "time");
  assert.equal(await typeOf("Region"), "string");
  assert.equal(await typeOf("Amount (USD)"), "number");
  assert.equal(await typeOf("Paid"), "boolean");
  assert.equal(await page.locator("select[aria-label='Role of Amount (USD)']").inputValue(), "measure");
  assert.ok(await page.locator("input[aria-label='time is the time field']").isChecked());
  // Cells are text, never HTML.
  assert.equal(await page.locator("table.import-rows b").count(), 0);
  await page.locator("table.import-rows td", { hasText: "<b>east</b>" }).first().waitFor();
  // Labels are editable; the label is what widgets will show.
  await page.fill("input[aria-label='Label of Amount (USD)']", "Order amount");
  await page.locator("input[aria-label='Label of Amount (USD)']").press("Tab");
  const name = `Orders e2e ${stamp}`;
  await page.fill("input[type=text][maxlength='120'][required]", name);
  await screenshot(page, "import-columns-1400");
  await assertAccessible(page, "import: the columns step");

  await page.click("button:has-text('Create dataset and import')");
  await page.locator(".import-summary").waitFor({ timeout: 30000 });
  assert.equal(await page.textContent("[data-testid=rows-stored]"), "40");
  assert.equal(await page.textContent("[data-testid=rows-refused]"), "3");
  assert.match(await page.textContent(".import-sentence"), /Import finished: 40 rows stored, 3 rows refused/);
  const refusals = await page.$$eval("table.import-refusals tbody tr", (rows) =>
    rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)));
  assert.deepEqual(refusals.map((r) => r[0]), ["12", "20", "30"]);
  // Named by the CSV header the person knows, not the storage name.
  assert.deepEqual(refusals.map((r) => r[1]), ["Amount (USD)", "time", "time"]);
  assert.match(refusals[0][2], /expected a number, got "lots"/);
  assert.match(refusals[1][2], /older than the dataset's retention/);
  assert.match(refusals[2][2], /missing/);
  await screenshot(page, "import-summary-1400");
  await assertAccessible(page, "import: the summary with refused lines");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("button:has-text('Download refused rows')"),
  ]);
  const refusedCsv = readFileSync(await download.path(), "utf8");
  assert.match(refusedCsv, /^line,column,reason\n12,Amount \(USD\),/);
  assert.equal(refusedCsv.trim().split("\n").length, 4);

  // The dataset is an ordinary dataset: its rows are queryable with the labels chosen.
  const token = await adminToken();
  const datasets = await (await fetch(`${BASE}/api/v1/datasets`, { headers: { authorization: `Bearer ${token}` } })).json();
  const dataset = datasets.items.find((d) => d.name === name);
  assert.ok(dataset, "the new dataset is listed");
  assert.equal(dataset.measures.find((m) => m.name === "amount").label, "Order amount");
  assert.equal(dataset.measures.find((m) => m.name === "amount").unit, "USD");

  // A dashboard over it in the builder: a KPI of the row count.
  await page.click("a:has-text('Build a dashboard')");
  await page.waitForSelector("input[name=dashboard-name]");
  await page.fill("input[name=dashboard-name]", `Orders dashboard ${stamp}`);
  await page.click("button:has-text('Add widget')");
  const editor = page.locator(".builder-editor");
  await editor.locator("select[name=dataset]").selectOption(dataset.id);
  await editor.locator("select[name=kind]").selectOption("kpi");
  await editor.locator("input[name=widget-title]").fill("Orders");
  await editor.locator(".builder-preview .vt-kpi-value").waitFor({ timeout: 30000 });
  await editor.locator("button:has-text('Add to dashboard')").click();
  await editor.waitFor({ state: "detached" });
  await page.click(".builder-toolbar button:has-text('Save')");
  await page.locator(".builder-status:has-text('All changes saved')").waitFor({ timeout: 15000 });
  await page.waitForURL(/\/dashboards\/[^/]+\/edit$/);
  const dashboardId = new URL(page.url()).pathname.split("/")[2];

  // Live: more rows through the ingest API move the KPI without a reload.
  await page.goto(`${BASE}/dashboards/${dashboardId}`);
  const kpi = page.locator(".vt-kpi-value").first();
  await kpi.waitFor({ timeout: 30000 });
  await page.waitForFunction(() => /\b40\b/.test(document.querySelector(".vt-kpi-value")?.textContent ?? ""), null, { timeout: 15000 });
  await page.locator(".live-badge.open").waitFor({ timeout: 15000 });
  const rows = Array.from({ length: 5 }, (_, i) => ({ time: Date.now() - i * 1000, region: "north", amount: 1, paid: true }));
  const ingest = await fetch(`${BASE}/api/v1/datasets/${dataset.id}/events`, {
    method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(rows.map((r) => ({ time_value: r.time, region: r.region, amount: r.amount, paid: r.paid }))),
  });
  assert.equal(ingest.status, 200, await ingest.text());
  await page.waitForFunction(() => /\b45\b/.test(document.querySelector(".vt-kpi-value")?.textContent ?? ""), null, { timeout: 15000 });

  // The embed page makes a snippet for it.
  await page.goto(`${BASE}/embed`);
  await page.locator(`select[name=dashboard] option[value='${dashboardId}']`).waitFor({ state: "attached" });
  await page.selectOption("select[name=dashboard]", dashboardId);
  await page.click("button:has-text('Create embed token')");
  await page.locator(".snippet pre", { hasText: dashboardId }).first().waitFor({ timeout: 15000 });

  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the import page on a phone: the column step and summary fit 375 px", async () => {
  const page = await newPage(browser, { width: 375, height: 800 });
  await login(page, ADMIN);
  await page.waitForSelector("a.dash-card");
  await page.goto(`${BASE}/datasets/import`);
  await page.locator(".drop-zone").waitFor();
  await screenshot(page, "import-choose-375");
  const stamp = Date.now();
  await page.setInputFiles("input[type=file]", { name: `phone-${stamp}.csv`, mimeType: "text/csv", buffer: Buffer.from(ordersCsv()) });
  await page.locator("table.import-columns").waitFor();
  await screenshot(page, "import-columns-375");
  await assertAccessible(page, "import on a phone: the columns step");
  // Wide tables scroll inside their box; the page itself does not scroll sideways.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), "no sideways page scroll");
  await page.click("button:has-text('Create dataset and import')");
  await page.locator(".import-summary").waitFor({ timeout: 30000 });
  assert.equal(await page.textContent("[data-testid=rows-stored]"), "40");
  await screenshot(page, "import-summary-375");
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), "no sideways page scroll");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("Cancel stops between batches and the summary says exactly how many rows were stored", async () => {
  const page = await newPage(browser);
  await login(page, ADMIN);
  await page.waitForSelector("a.dash-card");
  await page.goto(`${BASE}/datasets/import`);
  await page.locator(".drop-zone").waitFor();
  // 60,000 rows in 60 batches: long enough to cancel in the middle.
  const now = Date.now();
  const lines = ["time,value"];
  for (let i = 0; i < 60_000; i++) lines.push(`${now - 60_000 - i},${i}`);
  const stamp = Date.now();
  await page.setInputFiles("input[type=file]", { name: `cancel-${stamp}.csv`, mimeType: "text/csv", buffer: Buffer.from(lines.join("\n")) });
  await page.locator("table.import-columns").waitFor();
  // Epoch milliseconds in a column named "time" are read as times.
  assert.equal(await page.locator("select[aria-label='Type of time']").inputValue(), "time");
  await page.click("button:has-text('Create dataset and import')");
  const progress = page.locator(".import-progress progress");
  await progress.waitFor();
  assert.ok(await page.locator("#import-progress-label").textContent());
  await page.waitForFunction(() => /[1-9][\d,]* rows? stored/.test(document.querySelector(".import-status")?.textContent ?? ""), null, { timeout: 30000 });
  await screenshot(page, "import-progress-1400");
  await assertAccessible(page, "import: in progress");
  // Leaving through a link asks first; staying keeps the import running.
  const asked = [];
  page.once("dialog", (d) => { asked.push(d.message()); d.dismiss(); });
  await page.click(".app-nav a[href='/']");
  assert.match(asked[0] ?? "no dialog", /An import is running/);
  assert.ok(page.url().endsWith("/datasets/import"), page.url());
  await progress.waitFor();
  await page.click(".import-progress button:has-text('Cancel')");
  await page.locator(".import-summary").waitFor({ timeout: 30000 });
  const sentence = await page.textContent(".import-sentence");
  const match = sentence.match(/Import cancelled: exactly ([\d,]+) rows? stored \(through line ([\d,]+)\)/);
  assert.ok(match, sentence);
  const stored = Number(match[1].replaceAll(",", ""));
  assert.ok(stored > 0 && stored < 60_000 && stored % 1000 === 0, `whole batches only: ${stored}`);
  assert.equal(Number(match[2].replaceAll(",", "")), stored + 1, "the header is line 1");
  assert.equal(await page.textContent("[data-testid=rows-stored]"), String(stored));
  // The server holds exactly that many rows.
  const token = await adminToken();
  const id = `cancel_${stamp}`;
  const r = await fetch(`${BASE}/api/v1/query`, {
    method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ dataset: id, measures: [{ field: "*", agg: "count" }], timeRange: { preset: "last24h" } }),
  });
  const body = await r.text();
  assert.equal(r.status, 200, body);
  const result = JSON.parse(body);
  const countColumn = result.columns.findIndex((c) => c.name === "count");
  assert.equal(Number(result.data?.[countColumn]?.[0] ?? result.rows?.[0]?.[countColumn]), stored);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

