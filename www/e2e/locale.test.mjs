// Locale and time zone in an embed (issue 19 item 4), against the real reference server with demo
// data: `timeZone: "Asia/Tokyo"` is sent with the data request and moves the day buckets to Tokyo
// midnight, exactly as a direct API query in that zone does; `setLocale("de-DE")` re-formats
// numbers and switches the UI text without reloading data.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, login, screenshot } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const DAY = 86_400_000;
const HOUR = 3_600_000;

test("embed: timeZone Asia/Tokyo moves day buckets like a direct API query; setLocale('de-DE') changes separators and UI text", async () => {
  const page = await newPage(browser, { width: 1400, height: 1000 });
  await page.goto(`${BASE}/embed.html`);
  await page.waitForFunction(() => window.vantageEmbeds?.healthco, null, { timeout: 60000 });
  const requests = [];
  let sent = null;
  page.on("request", (r) => {
    if (/\/dashboards\/healthco-agents\/data$/.test(r.url())) {
      requests.push(JSON.parse(r.postData() || "{}"));
      sent ??= { url: r.url(), body: r.postData(), headers: r.headers() };
    }
  });
  const dataResponse = page.waitForResponse((r) => /\/dashboards\/healthco-agents\/data$/.test(r.url()) && r.status() === 200, { timeout: 60000 });
  await page.evaluate(async () => {
    const { EmbeddedDashboard } = await import("/pkg/index.js");
    const post = async (path, body, auth) => (await fetch(`/api/v1${path}`, { method: "POST",
      headers: { "Content-Type": "application/json", ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
      body: JSON.stringify(body) })).json();
    const login = await post("/auth/login", { email: "manager@healthco.test", password: "vantage-demo" });
    window.__userToken = login.accessToken;
    const token = (await post("/embed/tokens", { dashboardId: "healthco-agents", permissions: ["view_dashboard"],
      allowedOrigins: [location.origin], lockedFilters: [], expiresIn: 600 }, login.accessToken)).token;
    const host = document.createElement("div");
    host.id = "dash-zoned";
    host.style.width = "1300px";
    // A row of its own in the demo page's grid (a grid column is narrower than 1300 px).
    host.style.gridColumn = "1 / -1";
    document.querySelector("main").prepend(host);
    const dash = new EmbeddedDashboard({ baseUrl: location.origin, dashboardId: "healthco-agents", token,
      live: "off", locale: "en-US", timeZone: "Asia/Tokyo" });
    window.__zoned = dash;
    await dash.render(host);
  });
  await dataResponse;
  // The SDK asks for the binary columnar body; the same request (same query, same embed token)
  // asking for JSON shows what it decoded.
  const body = await page.evaluate(async ({ url, body, headers }) => (await fetch(url, {
    method: "POST", body, headers: { ...headers, accept: "application/json" },
  })).json(), sent);
  assert.equal(requests[0]?.timeZone, "Asia/Tokyo", `the data request carries the zone: ${JSON.stringify(requests[0])}`);

  // The per-day widget's buckets start at Tokyo midnight (15:00 UTC) …
  const perDay = body.widgets["per-day"];
  const embedded = [...new Set(perDay.data[0])].sort();
  assert.ok(embedded.length > 1, `several days: ${JSON.stringify(perDay.data[0])}`);
  for (const t of embedded) assert.equal(((t % DAY) + DAY) % DAY, 15 * HOUR, `bucket ${new Date(t).toISOString()} starts at Tokyo midnight`);
  // … exactly as the same query sent straight to the API with timeZone, and unlike it without.
  const direct = await page.evaluate(async () => {
    const headers = { "Content-Type": "application/json", Authorization: `Bearer ${window.__userToken}` };
    const dashboard = await (await fetch("/api/v1/dashboards/healthco-agents", { headers })).json();
    const widget = dashboard.widgets.find((w) => w.id === "per-day");
    const query = { ...widget.query, timeRange: widget.query.timeRange ?? dashboard.timeRange };
    if (!query.timeRange) delete query.timeRange;
    const run = async (q) => (await (await fetch("/api/v1/query", { method: "POST", headers, body: JSON.stringify(q) })).json()).data[0];
    return { tokyo: await run({ ...query, timeZone: "Asia/Tokyo" }), utc: await run(query) };
  });
  assert.deepEqual([...new Set(direct.tokyo)].sort(), embedded, "the embed's buckets are the API's Tokyo buckets");
  for (const t of new Set(direct.utc)) assert.equal(((t % DAY) + DAY) % DAY, 0, "UTC buckets start at UTC midnight");

  // English first: grouped with commas, the table footer in English.
  const root = "#dash-zoned";
  const kpi = page.locator(`${root} [data-widget-id='cost'] .vt-kpi-value`);
  const status = page.locator(`${root} [data-widget-id='agents-table'] .vt-table-status`);
  await kpi.waitFor({ timeout: 30000 });
  await status.waitFor({ timeout: 30000 });
  const englishValue = (await kpi.textContent()).trim();
  assert.match(englishValue, /^\$\d{1,3}(,\d{3})*\.\d{2}$/, `en-US currency: ${englishValue}`);
  assert.match((await status.textContent()).trim(), /^\d+–\d+ of \d+$/);
  await screenshot(page, "locale-embed-en-tokyo");

  const before = requests.length;
  await page.evaluate(() => window.__zoned.setLocale("de-DE"));
  // A locator, not document.querySelector: the embed renders inside its shadow root.
  await status.filter({ hasText: /von/ }).waitFor({ timeout: 10000 });
  const germanValue = (await kpi.textContent()).trim();
  assert.match(germanValue, /^\d{1,3}(\.\d{3})*,\d{2}\s\$$/, `de-DE currency: ${germanValue}`);
  assert.equal(germanValue.replace(/\D/g, ""), englishValue.replace(/\D/g, ""), "same amount, German separators");
  assert.match((await status.textContent()).trim(), /^\d+–\d+ von \d+$/);
  assert.equal(await page.locator(`${root} .vt-root, ${root}.vt-root, ${root} [lang='de-DE']`).count() > 0, true, "the root's lang follows");
  assert.equal(requests.length, before, "setLocale re-formats without reloading data");
  await screenshot(page, "locale-embed-de-tokyo");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("embed: an unknown timeZone is a config error naming the field", async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/embed.html`);
  await page.waitForFunction(() => window.vantageEmbeds?.healthco, null, { timeout: 60000 });
  const message = await page.evaluate(async () => {
    const { EmbeddedDashboard } = await import("/pkg/index.js");
    try {
      new EmbeddedDashboard({ baseUrl: location.origin, dashboardId: "healthco-agents", token: "x", timeZone: "Mars/Olympus_Mons" });
      return "no error";
    } catch (e) {
      return `${e.code} ${e.field} ${e.message}`;
    }
  });
  assert.match(message, /^config timeZone /);
  assert.match(message, /Mars\/Olympus_Mons/);
  await page.context().close();
});

test("app: the account page's language and time zone apply to dashboards", async () => {
  const page = await newPage(browser);
  await login(page, "viewer@autoinsure.test");
  await page.waitForSelector("a.dash-card");
  await page.goto(`${BASE}/account`);
  await page.selectOption("select[name=locale]", "de-DE");
  await page.selectOption("select[name=timeZone]", "Asia/Tokyo");
  await page.click("button:has-text('Save')");
  // The confirmation itself is already in the new language: the page re-renders without a reload.
  await page.locator(".notice:has-text('Für diesen Browser gespeichert')").waitFor();
  assert.equal((await page.locator(".account-page h1").textContent()).trim(), "Ihr Konto");
  assert.equal(await page.locator("form.account-form:not(.locale-form) button[type=submit]").textContent(), "Passwort ändern");
  // The password rule, checked as it is typed, says what to change in German too.
  await page.fill("input[name=newPassword]", "password1234");
  const hint = page.locator(".password-hint");
  await page.waitForFunction(() => document.querySelector(".password-hint")?.dataset.ok === "false");
  assert.equal((await hint.textContent()).trim(),
    "Passwort: ist zu leicht zu erraten: vermeiden Sie gängige Wörter und Zeichenfolgen.");
  await page.fill("input[name=newPassword]", "");
  // The app's own chrome follows at once, without a reload.
  await page.locator(".app-nav a:has-text('Alarme')").waitFor();
  assert.equal(await page.locator(".app-header button.app-button").textContent(), "Abmelden");
  assert.equal(await page.locator(".app-nav").getAttribute("aria-label"), "Hauptnavigation");
  await screenshot(page, "locale-app-account");
  const requests = [];
  page.on("request", (r) => {
    if (/\/dashboards\/autoinsure-agents\/data$/.test(r.url())) requests.push(JSON.parse(r.postData() || "{}"));
  });
  await page.goto(`${BASE}/dashboards/autoinsure-agents`);
  const kpi = page.locator("[data-widget-id='cost'] .vt-kpi-value");
  await kpi.waitFor({ timeout: 45000 });
  assert.equal(requests[0]?.timeZone, "Asia/Tokyo", JSON.stringify(requests[0]));
  assert.match((await kpi.textContent()).trim(), /^\d{1,3}(\.\d{3})*,\d{2}\s\$$/);
  await page.locator("[data-widget-id='agents-table'] .vt-table-status:has-text('von')").waitFor();
  // The page's tools and the widget menu are German too.
  assert.equal((await page.locator(".page-tools button[aria-pressed]").textContent()).trim(), "Vollbild");
  assert.ok(await page.locator(".page-tools select option:has-text('Keine automatische Aktualisierung')").count() === 1);
  const menu = page.locator("[data-widget-id='cost'] .widget-menu-button");
  assert.match(await menu.getAttribute("aria-label"), /^Aktionen für /);
  await menu.click();
  await page.locator(".widget-menu-list button:has-text('Daten als Tabelle anzeigen')").waitFor();
  await menu.click();
  await screenshot(page, "locale-app-dashboard-de");
  // A backend error reads in German too: the code's headline before the server's own detail.
  await page.goto(`${BASE}/dashboards/no-such-dashboard`);
  const failure = page.locator(".vt-dashboard-error");
  await failure.waitFor({ timeout: 30000 });
  assert.match(await failure.textContent(), /Nicht gefunden — /);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
