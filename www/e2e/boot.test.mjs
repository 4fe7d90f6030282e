// The first paint comes before the app's wasm: index.html's static skeleton shows the sign-in
// card to a visitor who will sign in (and a neutral page placeholder to one with a session);
// the app replaces it once mounted. The wasm request is held back to prove the order. ECharts
// comes only when a chart needs it (at once for a visitor with a session).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, fillLogin, launch, login, newPage, screenshot } from "./harness.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Opens `path` with every .wasm response held until the returned `release()` is called. */
async function openHeld(page, path) {
  let release;
  const held = new Promise((resolve) => (release = resolve));
  let requested;
  const wasmRequested = new Promise((resolve) => (requested = resolve));
  await page.route("**/*.wasm", async (route) => {
    requested(route.request().url());
    await held;
    await route.continue();
  });
  await page.goto(`${BASE}${path}`);
  return { release, wasmRequested };
}

test("the sign-in page is painted before the wasm arrives, then the app takes over", async () => {
  const page = await newPage(browser);
  const { release, wasmRequested } = await openHeld(page, "/login");
  await page.waitForSelector("#boot-login:not([hidden])");
  assert.equal(await page.locator("#boot-login h1").textContent(), "Sign in");
  assert.equal(await page.locator("#boot-page").isVisible(), false);
  // The wasm download is under way while the skeleton is on screen.
  assert.match(await wasmRequested, /\/app\/vantage_app_bg\.[0-9a-f]{16}\.wasm$/);
  assert.equal(await page.locator("#boot-login").isVisible(), true);
  await screenshot(page, "boot-skeleton-login");
  release();
  await page.waitForSelector("input[name=email]", { timeout: 60000 });
  assert.equal(await page.locator("#boot").count(), 0, "the skeleton is gone once the app mounted");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a visitor with a session sees a page placeholder, not the sign-in card", async () => {
  const page = await newPage(browser);
  await page.addInitScript(() => localStorage.setItem("vantage.refreshToken", "stale-token"));
  const { release } = await openHeld(page, "/dashboards/healthco-ai-quality");
  await page.waitForSelector("#boot-page:not([hidden])");
  assert.equal(await page.locator("#boot-login").isVisible(), false);
  release();
  await page.waitForFunction(() => !document.getElementById("boot"), null, { timeout: 60000 });
  await page.context().close();
});

const ECHARTS_FILE = /\/app\/echarts\.[0-9a-f]{16}\.js$/;

test("a visitor with a session gets the wasm beside ECharts and the glue, not after them", async () => {
  const page = await newPage(browser);
  await page.addInitScript(() => localStorage.setItem("vantage.refreshToken", "stale-token"));
  let release;
  const held = new Promise((resolve) => (release = resolve));
  let echartsRequested = false;
  await page.route(ECHARTS_FILE, async (route) => {
    echartsRequested = true;
    await held;
    await route.continue();
  });
  const wasmRequested = page.waitForRequest(/\/app\/vantage_app_bg\.[0-9a-f]{16}\.wasm$/, { timeout: 30000 });
  await page.goto(`${BASE}/dashboards/healthco-ai-quality`, { waitUntil: "commit" });
  // ECharts is still held back here: the wasm request must not wait for it.
  await wasmRequested;
  await page.waitForFunction(() => typeof globalThis.vantageLoadECharts === "function");
  assert.equal(echartsRequested, true, "a visitor with a session gets ECharts at once");
  release();
  await page.waitForFunction(() => !document.getElementById("boot"), null, { timeout: 60000 });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the sign-in page downloads no ECharts; the first chart after signing in loads it once", async () => {
  const page = await newPage(browser);
  const requests = [];
  page.on("request", (request) => {
    if (ECHARTS_FILE.test(request.url())) requests.push(request.url());
  });
  await page.goto(`${BASE}/login`);
  await page.waitForSelector("input[name=email]", { timeout: 60000 });
  await page.waitForLoadState("networkidle");
  assert.deepEqual(requests, [], "the sign-in page draws no chart and must not fetch ECharts");
  await fillLogin(page, "analyst@healthco.test");
  await page.waitForSelector("a.dash-card");
  await page.locator("a.dash-card").first().click();
  await page.waitForSelector(".vt-echart canvas", { state: "attached", timeout: 45000 });
  assert.equal(requests.length, 1, `ECharts fetched once, got ${requests}`);
  // The tenant's chart theme was registered when ECharts arrived (not skipped for its absence).
  const themed = await page.evaluate(() => {
    const chart = globalThis.echarts.getInstanceByDom(document.querySelector(".vt-echart"));
    return chart?.getOption()?.color?.length ?? 0;
  });
  assert.ok(themed > 0, "charts are drawn with a theme's palette");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("ECharts that fails to load shows the chart's error with a retry that draws it", async () => {
  const page = await newPage(browser);
  let failures = 0;
  await page.route(ECHARTS_FILE, async (route) => {
    if (failures === 0) {
      failures += 1;
      await route.abort("connectionreset");
    } else {
      await route.continue();
    }
  });
  await login(page, "analyst@healthco.test");
  await page.waitForSelector("a.dash-card");
  await page.locator("a.dash-card").first().click();
  const error = page.locator(".vt-echart-wrap .vt-widget-error").first();
  await error.waitFor({ timeout: 45000 });
  assert.match(await error.textContent(), /The chart library did not load\. Check your connection/);
  // The technical detail (which file) stays out of the sentence, in the tooltip.
  assert.match(await error.getAttribute("title"), /\/app\/echarts\.[0-9a-f]{16}\.js/);
  await screenshot(page, "boot-echarts-failed");
  await error.locator("button").click();
  await page.waitForSelector(".vt-echart canvas", { state: "attached", timeout: 45000 });
  assert.equal(await page.locator(".vt-echart-wrap .vt-widget-error").count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
