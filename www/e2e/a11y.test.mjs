// Accessibility audit: axe-core (the engine behind Lighthouse's and most CI accessibility checks)
// run on every page of the app a tenant admin reaches, the embed demo and the widget gallery, in
// light and in dark mode, with the tenant's branding applied (HealthCo's dark teal, which as link
// text in dark mode was 3.1:1). Every rule axe runs by default (WCAG 2.0/2.1 A and AA and its best
// practices) must pass; the one exception is named below with its reason.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, newPage, login, drawCharts, axeViolations as violations, BASE } from "./harness.mjs";

// Each page, and the states of it that show more than the page does on arrival (menus, dialogs,
// the pages they lead to). The builder is last: its open editor would ask before leaving.
const APP_PAGES = [
  ["/"],
  ["/dashboards/healthco-ai-quality", async (page, audit) => {
    await page.locator("[data-widget-id='intents'] .widget-menu-button").click();
    await audit("/dashboards/healthco-ai-quality (widget menu open)");
    await page.click("[data-widget-id='intents'] button:text-is('Drill down to rows')");
    await page.waitForURL(/\/drill\?/);
    await page.waitForSelector(".drill-page table tbody tr");
    await settled(page);
    await audit("/drill");
  }],
  ["/dashboards/healthco-ai-quality/report"],
  ["/alerts"],
  ["/users"],
  ["/audit"],
  ["/embed"],
  ["/branding"],
  ["/datasets/import"],
  ["/account"],
  ["/builder/new", async (page, audit) => {
    await page.click("button:has-text('Add widget')");
    const editor = page.locator(".builder-editor");
    await editor.locator("select[name=dataset]").selectOption("validations");
    await editor.locator("select[name=kind]").selectOption("line");
    await editor.locator(".builder-preview .vt-echart canvas").waitFor({ state: "attached", timeout: 30000 });
    await audit("/builder/new (widget editor open)");
  }],
];

// A phone's width: the navigation scrolls, cards stack, tables become lists.
const PHONE_PAGES = ["/", "/dashboards/healthco-latency", "/alerts", "/users"];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Waits until the page shows its heading and nothing on it is loading. */
async function settled(page) {
  await page.waitForSelector("h1", { timeout: 15000 });
  await page.waitForFunction(() => document.querySelectorAll("[aria-busy='true'], .vt-pending").length === 0,
    null, { timeout: 15000 });
  await drawCharts(page, { timeout: 15000 });
}

async function auditApp(mode, viewport, pages) {
  const page = await newPage(browser, viewport);
  await page.emulateMedia({ colorScheme: mode, reducedMotion: "reduce" });
  await page.goto(`${BASE}/login`);
  await settled(page);
  const found = [];
  const audit = async (what) => {
    assert.equal(await page.evaluate(() => document.documentElement.dataset.mode), mode, `${what}: ${mode} mode`);
    found.push(...(await violations(page)).map((v) => `${what}: ${v}`));
  };
  await audit("/login");
  await login(page, "admin@healthco.test");
  await page.waitForURL(`${BASE}/`);
  for (const [path, more] of pages) {
    if (path !== "/") await page.goto(`${BASE}${path}`);
    await settled(page);
    await audit(path);
    await more?.(page, audit);
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
  assert.deepEqual(found, [], `axe found:\n${found.join("\n")}`);
}

for (const mode of ["light", "dark"]) {
  test(`every page of the app has no accessibility violation (${mode})`, () =>
    auditApp(mode, { width: 1400, height: 900 }, APP_PAGES));

  test(`the app on a phone has no accessibility violation (${mode})`, () =>
    auditApp(mode, { width: 375, height: 812 }, PHONE_PAGES.map((path) => [path])));

  test(`the embed demo and the widget gallery have no accessibility violation (${mode})`, async () => {
    const page = await newPage(browser);
    await page.emulateMedia({ colorScheme: mode, reducedMotion: "reduce" });
    const found = [];
    await page.goto(`${BASE}/embed.html`);
    await drawCharts(page);
    found.push(...(await violations(page)).map((v) => `/embed.html: ${v}`));
    await page.goto(`${BASE}/gallery.html`);
    await drawCharts(page);
    // The gallery draws every widget twice, light and dark side by side, so its two tables are
    // two scrolling regions with the same name by design; a dashboard's are named by their titles.
    found.push(...(await violations(page, { disable: ["landmark-unique"] })).map((v) => `/gallery.html: ${v}`));
    assert.deepEqual(page.errors, []);
    await page.context().close();
    assert.deepEqual(found, [], `axe found:\n${found.join("\n")}`);
  });
}
