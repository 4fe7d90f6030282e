// The Vantage app against the real reference server with demo data.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, login, fillLogin, screenshot } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("an anonymous visitor is sent to login, remembering the page", async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/dashboards/healthco-latency?range=last1h`);
  await page.waitForURL(/\/login\?next=/);
  assert.match(decodeURIComponent(page.url()), /next=\/dashboards\/healthco-latency\?range=last1h/);
  await fillLogin(page, "analyst@healthco.test");
  await page.waitForURL(/\/dashboards\/healthco-latency\?range=last1h$/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("wrong password shows an inline error", async () => {
  const page = await newPage(browser);
  await login(page, "analyst@healthco.test", "wrong-password");
  const alert = page.locator(".login-card [role=alert]");
  await alert.waitFor();
  assert.ok((await alert.textContent()).length > 0);
  assert.match(page.url(), /\/login/);
  await page.context().close();
});

test("an analyst sees the tenant's dashboards, opens one and gets live charts", async () => {
  const page = await newPage(browser);
  await login(page, "analyst@healthco.test");
  await page.waitForSelector("a.dash-card");
  const names = await page.locator("a.dash-card h2").allTextContents();
  assert.ok(names.length >= 4, `expected ≥ 4 dashboards, got ${names}`);
  await screenshot(page, "app-dashboards-light");

  await page.goto(`${BASE}/dashboards/healthco-ai-quality`);
  await page.waitForSelector(".vt-echart canvas", { state: "attached", timeout: 45000 });
  await page.locator(".live-badge.open").waitFor({ timeout: 15000 });
  const charts = await page.locator(".vt-echart canvas").count();
  assert.ok(charts >= 2, `expected several charts, got ${charts}`);
  await screenshot(page, "app-dashboard-light");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("changing the time range updates the URL and re-queries", async () => {
  const page = await newPage(browser);
  await login(page, "analyst@healthco.test");
  await page.waitForSelector("a.dash-card");
  await page.goto(`${BASE}/dashboards/healthco-latency`);
  await page.waitForSelector(".vt-echart canvas", { state: "attached", timeout: 45000 });
  const requests = [];
  page.on("request", (r) => { if (r.url().endsWith("/data")) requests.push(r.postData()); });
  await page.selectOption("select[aria-label='Time range']", "last1h");
  await page.waitForURL(/range=last1h/);
  await page.waitForTimeout(1500);
  assert.ok(requests.some((body) => body && body.includes("last1h")), `data requests: ${requests}`);
  await page.goBack();
  await page.waitForURL((url) => !url.search.includes("range=last1h"));
  await page.context().close();
});

test("the dashboard is usable on a phone-sized screen and in dark mode", async () => {
  const page = await newPage(browser, { width: 375, height: 800 });
  await login(page, "viewer@healthco.test");
  await page.waitForSelector("a.dash-card");
  await page.goto(`${BASE}/dashboards/healthco-ai-quality`);
  await page.waitForSelector(".vt-echart canvas", { state: "attached", timeout: 45000 });
  await screenshot(page, "app-dashboard-phone-light");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px`);
  await page.click("button:has-text('Dark mode')");
  assert.equal(await page.evaluate(() => document.documentElement.dataset.mode), "dark");
  await screenshot(page, "app-dashboard-phone-dark");
  await page.context().close();
});
