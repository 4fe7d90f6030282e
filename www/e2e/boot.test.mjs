// The first paint comes before the app's wasm: index.html's static skeleton shows the sign-in
// card to a visitor who will sign in (and a neutral page placeholder to one with a session);
// the app replaces it once mounted. The wasm request is held back to prove the order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, screenshot } from "./harness.mjs";

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

test("the wasm downloads beside ECharts and the glue, not after them", async () => {
  const page = await newPage(browser);
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route(/\/app\/echarts\.[0-9a-f]{16}\.js$/, async (route) => {
    await held;
    await route.continue();
  });
  const wasmRequested = page.waitForRequest(/\/app\/vantage_app_bg\.[0-9a-f]{16}\.wasm$/, { timeout: 30000 });
  // Not waiting for `load`: the held script holds it back.
  await page.goto(`${BASE}/login`, { waitUntil: "commit" });
  // ECharts is still held back here: the wasm request must not wait for it.
  await wasmRequested;
  release();
  await page.waitForSelector("input[name=email]", { timeout: 60000 });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
