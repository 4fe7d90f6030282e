// Shared helpers for the browser end-to-end tests (node:test + playwright-core + Debian Chromium).
// `cargo xtask test` starts the reference server and passes its URL in VANTAGE_BASE_URL.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
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

/**
 * Scrolls every chart into view in turn, so charts far below the fold (drawn only when they come
 * near the view, as on a phone) are drawn, then returns to where the page was and waits until
 * every chart with a size has its canvas. Shadow roots (embeds) included. Resolves to the
 * number of charts it scrolled to; rejects after `timeout` ms with the charts still undrawn.
 */
export async function drawCharts(page, { timeout = 30000 } = {}) {
  const { scrolled, undrawn } = await page.evaluate(async (timeout) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const deadline = performance.now() + timeout;
    const all = (selector, root = document) => [...root.querySelectorAll(selector),
      ...[...root.querySelectorAll("*")].filter((el) => el.shadowRoot).flatMap((el) => all(selector, el.shadowRoot))];
    // Cards and bodies still waiting to be built (they are built over several tasks).
    while (all(".vt-pending").length > 0 && performance.now() < deadline) await frame();
    const charts = all(".vt-echart");
    // Drawn, hidden, or showing its error (a chart library that did not load).
    const done = (el) => el.querySelector("canvas") || el.getBoundingClientRect().height === 0
      || el.parentElement?.querySelector(".vt-widget-error");
    const [x, y] = [window.scrollX, window.scrollY];
    let scrolled = 0;
    for (const el of charts) {
      if (el.querySelector("canvas")) continue;
      el.scrollIntoView({ block: "center" });
      scrolled += 1;
      await frame();
      await frame();
    }
    window.scrollTo(x, y);
    while (!charts.every(done) && performance.now() < deadline) await frame();
    return { scrolled, undrawn: charts.filter((el) => !done(el)).length };
  }, timeout);
  if (undrawn > 0) throw new Error(`drawCharts: ${undrawn} chart(s) still undrawn after ${timeout} ms`);
  return scrolled;
}

/**
 * Resolves once no chart on the page (shadow roots included) is animating: each ECharts
 * instance's renderer has no running animation clip, for two frames in a row. A live chart that
 * keeps moving is left as it is after `timeout` ms. Resolves to whether all charts settled.
 */
export async function chartsSettled(page, { timeout = 3000 } = {}) {
  return page.evaluate(async (timeout) => {
    const echarts = globalThis.echarts;
    if (typeof echarts?.getInstanceByDom !== "function") return true;
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const all = (selector, root = document) => [...root.querySelectorAll(selector),
      ...[...root.querySelectorAll("*")].filter((el) => el.shadowRoot).flatMap((el) => all(selector, el.shadowRoot))];
    const still = () => all(".vt-echart").map((el) => echarts.getInstanceByDom(el))
      .every((chart) => !chart || chart.isDisposed() || chart.getZr().animation.isFinished());
    const deadline = performance.now() + timeout;
    let quiet = 0;
    while (quiet < 2 && performance.now() < deadline) {
      await frame();
      quiet = still() ? quiet + 1 : 0;
    }
    return quiet >= 2;
  }, timeout);
}

/** A full-page screenshot in the artifacts, with the charts below the fold drawn first and every
 * chart's entrance animation played out, as a person sees the page a moment after it loads (a
 * page caught while its charts still load is shot as it is after 10 s). */
export async function screenshot(page, name) {
  await drawCharts(page, { timeout: 10000 }).catch(() => 0);
  await chartsSettled(page);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// axe-core, evaluated through the DevTools protocol, so the pages' strict CSP (no inline script)
// allows it. Read once, on first use.
let axeSource;

/**
 * The accessibility violations axe-core finds on the page as it is now (every rule axe runs by
 * default: WCAG 2.0/2.1 A and AA and its best practices; open shadow roots included), one line
 * each: the rule, its impact, and the first elements with why. `disable`: rule ids left out.
 */
export async function axeViolations(page, { disable = [] } = {}) {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(axeSource);
  return page.evaluate(async (disable) => {
    const rules = Object.fromEntries(disable.map((id) => [id, { enabled: false }]));
    const result = await window.axe.run(document, { resultTypes: ["violations"], rules });
    return result.violations.map((v) => `${v.id} [${v.impact}] ${v.help}: ` + v.nodes.slice(0, 3)
      .map((n) => `${n.target.join(" ")} (${n.failureSummary.replace(/\s+/g, " ").trim()})`).join("; "));
  }, disable);
}

/** Fails the test with axe's findings when the page as it is now has an accessibility violation. */
export async function assertAccessible(page, what, options) {
  const found = await axeViolations(page, options);
  if (found.length > 0) throw new Error(`${what}: axe found:\n${found.join("\n")}`);
}
