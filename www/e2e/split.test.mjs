// The app's wasm is split (issue 18 item 3): the sign-in page loads only the main module, and a
// page's code arrives when the page opens, with a loading state meanwhile and an error with a
// retry button when its chunk does not arrive.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, login, screenshot } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The /app/ files a page requested, by name without their hash. */
function appRequests(page) {
  const names = [];
  page.on("request", (r) => {
    const m = /\/app\/([^/?]+)$/.exec(r.url());
    if (m) names.push(m[1].replace(/\.[0-9a-f]{16}\./, "."));
  });
  return names;
}

test("the sign-in page loads no lazily loaded chunk", async () => {
  const page = await newPage(browser);
  const names = appRequests(page);
  await page.goto(`${BASE}/login`);
  await page.waitForSelector("input[name=email]");
  await page.waitForLoadState("networkidle");
  assert.ok(names.includes("vantage_app_bg.wasm"), names.join(", "));
  assert.deepEqual(names.filter((n) => /^(split|chunk)_/.test(n)), []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a stored session's renewal and its dashboards' module are fetched at once, not one after the other", async () => {
  const page = await newPage(browser);
  await page.addInitScript(() => localStorage.setItem("vantage.refreshToken", "stale-token"));
  let release;
  const held = new Promise((resolve) => (release = resolve));
  let renewalAnswered = false;
  await page.route(/\/api\/v1\/auth\/refresh$/, async (route) => {
    await held;
    renewalAnswered = true;
    await route.continue();
  });
  const moduleRequested = page.waitForRequest(/\/app\/split_dashboard\.[0-9a-f]{16}\.wasm$/, { timeout: 30000 });
  await page.goto(`${BASE}/dashboards/healthco-ai-quality`);
  await moduleRequested;
  assert.equal(renewalAnswered, false, "the module is asked for while the renewal is still held back");
  release();
  // The stale token is refused: the visitor lands on the sign-in page.
  await page.waitForSelector("input[name=email]", { timeout: 60000 });
  await page.context().close();
});

test("a dashboard's code arrives as one file, not its module and the chunks it shares", async () => {
  const page = await newPage(browser);
  const names = appRequests(page);
  await login(page, "analyst@healthco.test");
  await page.waitForSelector("a.dash-card");
  await page.click("a.dash-card[href='/dashboards/healthco-ai-quality']");
  await page.waitForSelector(".vt-echart canvas", { timeout: 30000 });
  const lazy = names.filter((n) => /^(split|chunk)_/.test(n));
  // The build merges the dashboard module with every chunk it needs (xtask's merge_closure).
  assert.deepEqual(lazy, ["split_dashboard.wasm"]);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the XLSX writer arrives with the first spreadsheet export; when it does not, the widget menu says so", async () => {
  const page = await newPage(browser);
  const names = appRequests(page);
  await login(page, "analyst@healthco.test");
  await page.waitForSelector("a.dash-card");
  await page.click("a.dash-card[href='/dashboards/healthco-ai-quality']");
  await page.locator("[data-widget-id='intents'] .vt-echart canvas").waitFor({ state: "attached", timeout: 30000 });
  assert.ok(!names.includes("split_xlsx.wasm"), "a dashboard opens without the XLSX writer");
  let refuse = true;
  await page.route(/\/app\/split_xlsx[^/]*\.wasm$/, (route) => (refuse ? route.abort() : route.continue()));
  const menu = page.locator("[data-widget-id='intents'] .widget-menu-button");
  await menu.click();
  await page.click("[data-widget-id='intents'] button:text-is('Export XLSX')");
  const problem = page.locator("[data-widget-id='intents'] .export-problem[role=alert]");
  await problem.waitFor();
  assert.match(await problem.textContent(), /spreadsheet export did not load/);
  await screenshot(page, "split-xlsx-failed");
  refuse = false;
  await menu.click();
  assert.equal(await problem.count(), 0, "opening the menu again retires the problem");
  const [xlsx] = await Promise.all([page.waitForEvent("download"), page.click("[data-widget-id='intents'] button:text-is('Export XLSX')")]);
  assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
  assert.equal(await problem.count(), 0);
  assert.ok(names.includes("split_xlsx.wasm"));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a page whose chunk fails shows an error with retry, and retry loads it", async () => {
  const page = await newPage(browser);
  await login(page, "admin@healthco.test");
  await page.waitForSelector("a.dash-card");
  // The users page's module (and any chunk it shares) is refused once.
  let refuse = true;
  await page.route(/\/app\/(split_admin|chunk_)[^/]*\.wasm$/, (route) => (refuse ? route.abort() : route.continue()));
  await page.click("nav a[href='/users']");
  const error = page.locator(".app-error[role=alert]");
  await error.waitFor();
  assert.match(await error.textContent(), /could not be loaded/);
  await screenshot(page, "split-chunk-failed");
  refuse = false;
  await error.locator("button").click();
  await page.waitForSelector("main h1");
  assert.equal(await page.locator(".app-error[role=alert]").count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a lazily loaded page shows a loading state until its code arrives", async () => {
  const page = await newPage(browser);
  await login(page, "admin@healthco.test");
  await page.waitForSelector("a.dash-card");
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route(/\/app\/split_builder[^/]*\.wasm$/, async (route) => { await held; await route.continue(); });
  await page.click("a:has-text('New dashboard')");
  await page.waitForSelector(".app-loading[role=status]");
  await screenshot(page, "split-loading");
  release();
  await page.waitForSelector("input[name=dashboard-name]");
  assert.equal(await page.locator(".app-loading").count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});
