// The widget gallery (www/gallery.html): every widget in light and dark, under the strict CSP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, screenshot } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the gallery shows every widget in light and dark mode", async () => {
  const page = await newPage(browser, { width: 1400, height: 1000 });
  await page.goto(`${BASE}/gallery.html`);
  await page.waitForFunction(() => document.querySelectorAll("#gallery-light canvas").length > 3
    && document.querySelectorAll("#gallery-dark canvas").length > 3, null, { timeout: 60000 });
  const status = await page.locator("#gallery-status").textContent();
  assert.ok(!status.includes("could not start"), status);
  const kinds = await page.evaluate(() => document.querySelectorAll("#gallery-light .vt-card").length);
  assert.ok(kinds >= 8, `expected the widget catalogue, found ${kinds} widgets`);
  await screenshot(page, "gallery");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
