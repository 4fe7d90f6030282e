// Shared helpers for the browser end-to-end tests (node:test + playwright-core + Debian Chromium).
// `cargo xtask test` starts the reference server and passes its URL in VANTAGE_BASE_URL.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const BASE = process.env.VANTAGE_BASE_URL;
if (!BASE) throw new Error("VANTAGE_BASE_URL is not set: run these tests through `cargo xtask test`");
export const ARTIFACTS = process.env.VANTAGE_ARTIFACTS ?? "test-artifacts";
mkdirSync(ARTIFACTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A new page that fails the test on uncaught page errors. */
export async function newPage(browser, viewport = { width: 1400, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  return page;
}

export async function login(page, email, password = "vantage-demo") {
  await page.goto(`${BASE}/login`);
  await fillLogin(page, email, password);
}

/** Fills and submits the login form already on screen. */
export async function fillLogin(page, email, password = "vantage-demo") {
  await page.fill("input[name=email]", email);
  await page.fill("input[name=password]", password);
  await page.click("button[type=submit]");
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
