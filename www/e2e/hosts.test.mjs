// Host developers' frameworks and pages, each installing the packed tarball of the package
// (`cargo xtask test` builds www/examples/{react,vue}-host into dist/ before this runs):
// - the React 19 host (StrictMode, React's development build) switches dashboards and
//   unmounts, leaving no live connection, chart or listener behind;
// - the Vue 3 host renders a live dashboard through <vantage-dashboard>;
// - a host page with a hostile stylesheet cannot restyle the embed (shadow root by default),
//   the embed's CSS does not leak out, and `::part()` / `--vt-*` / setTheme still style it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, assertAccessible, launch, newPage, screenshot } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Counts the listeners on window, document and MediaQueryLists still attached (init script). */
function trackListeners() {
  const live = [];
  const tracked = (t) => t === window || t === document || t instanceof MediaQueryList;
  const capture = (o) => (typeof o === "boolean" ? o : !!o?.capture);
  const { addEventListener: add, removeEventListener: remove } = EventTarget.prototype;
  EventTarget.prototype.addEventListener = function (type, fn, options) {
    // Playwright's injected script adds window listeners of its own when it first runs.
    if (tracked(this) && fn && !new Error().stack.includes("InjectedScript") && !live.some((l) => l[0] === this && l[1] === type && l[2] === fn && l[3] === capture(options))) {
      live.push([this, type, fn, capture(options)]);
    }
    return add.call(this, type, fn, options);
  };
  EventTarget.prototype.removeEventListener = function (type, fn, options) {
    const i = live.findIndex((l) => l[0] === this && l[1] === type && l[2] === fn && l[3] === capture(options));
    if (i >= 0) live.splice(i, 1);
    return remove.call(this, type, fn, options);
  };
  window.__listeners = () => live.map((l) => `${l[0] === window ? "window" : l[0] === document ? "document" : "media"}:${l[1]}`).sort();
}

test("the React host (StrictMode) switches dashboards and unmounts without leaving a connection, chart or listener", async () => {
  const page = await newPage(browser, { width: 1300, height: 1000 });
  await page.addInitScript(trackListeners);
  // React's development build reports misuse (refs, effects, keys) as console errors. (Failed
  // requests are logged too: the page has no favicon, and embed tokens may not list alerts.)
  const consoleErrors = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) consoleErrors.push(m.text());
  });
  const sockets = [];
  page.on("websocket", (ws) => { if (ws.url().includes("/api/v1/live/")) sockets.push(ws); });
  const open = () => sockets.filter((ws) => !ws.isClosed()).length;
  const response = await page.goto(`${BASE}/examples/react-host/dist/index.html?start=unmounted`);
  assert.equal(response.status(), 200, "the example was built (www/examples/react-host/dist)");
  await page.getByRole("button", { name: "Mount" }).waitFor();
  assert.equal(await page.evaluate(() => window.appEffectRuns), 2, "StrictMode mounts effects twice (React's development build)");
  const baseline = await page.evaluate(() => window.__listeners());
  const click = (name) => page.getByRole("button", { name, exact: true }).click();

  const rendered = async (dashboardId) => {
    await page.waitForFunction((id) => document.body.dataset.rendered === id, dashboardId, { timeout: 60000 });
    await page.waitForFunction(() => document.body.dataset.live === "open", null, { timeout: 30000 });
  };
  const embedState = () => page.evaluate(() => ({
    embeds: document.querySelectorAll("#analytics vantage-embed").length,
    canvases: document.querySelector("#analytics vantage-embed")?.shadowRoot.querySelectorAll("canvas").length ?? 0,
  }));

  // Mount: StrictMode mounts, unmounts and mounts the component's effects; one embed remains.
  await click("Mount");
  await rendered("healthco-ai-quality");
  const first = await embedState();
  assert.equal(first.embeds, 1, "StrictMode's double mount leaves one embed");
  assert.ok(first.canvases >= 5, `charts drawn: ${first.canvases}`);
  assert.equal(open(), 1, "one live connection");
  const mounted = await page.evaluate(() => window.__listeners());
  assert.ok(mounted.includes("media:change"), `the embed's own listeners are seen: ${mounted}`);
  await page.evaluate(() => { window.__first = window.reactHost.dash.current; });
  assert.equal(await page.evaluate(() => window.__first.handlerCount), 8, "the component subscribes to every event");
  await screenshot(page, "hosts-react");
  // The audit's own script (axe) leaves a window listener behind; it joins what is expected
  // at the end, so the leak check below still sees only the embed's listeners.
  const beforeAudit = await page.evaluate(() => window.__listeners());
  await assertAccessible(page, "the React host example");
  const audit = await page.evaluate(() => window.__listeners());
  for (const l of beforeAudit) { const i = audit.indexOf(l); if (i >= 0) audit.splice(i, 1); }
  const expectedLeft = [...baseline, ...audit].sort();

  // Switch: the first embed is destroyed (its connection closed, its handlers dropped).
  await click("healthco-latency");
  await rendered("healthco-latency");
  assert.equal((await embedState()).embeds, 1);
  await page.waitForFunction(() => window.reactHost.dash.current && window.reactHost.dash.current !== window.__first);
  assert.equal(await page.evaluate(() => window.__first.handlerCount), 0);
  await waitFor(() => open() === 1, "the first dashboard's live connection closed");
  assert.equal(sockets.length, 2, "one connection per dashboard shown, none for StrictMode's discarded mount");

  // Unmount: nothing of the embed is left.
  await page.evaluate(() => { window.__second = window.reactHost.dash.current; });
  await click("Unmount");
  await waitFor(() => open() === 0, "no live connection after unmount");
  const left = await page.evaluate(() => {
    // Matches in the document and in every open shadow root.
    const deep = (root, selector) => [...root.querySelectorAll("*")].reduce(
      (n, el) => n + (el.shadowRoot ? deep(el.shadowRoot, selector) : 0), root.querySelectorAll(selector).length);
    return {
      embeds: document.querySelectorAll("vantage-embed").length,
      canvases: deep(document, "canvas"),
      roots: deep(document, ".vt-root"),
      ref: window.reactHost.dash.current,
      handlers: window.__second.handlerCount,
      listeners: window.__listeners(),
    };
  });
  assert.deepEqual(left, { embeds: 0, canvases: 0, roots: 0, ref: null, handlers: 0, listeners: expectedLeft });
  assert.deepEqual(page.errors, []);
  assert.deepEqual(consoleErrors, []);
  await page.context().close();
});

async function waitFor(check, what, timeout = 15000) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeout) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("the Vue host renders a live dashboard through <vantage-dashboard>", async () => {
  const page = await newPage(browser, { width: 1300, height: 1000 });
  const frames = new Promise((resolve) => {
    page.on("websocket", (ws) => { if (ws.url().includes("/api/v1/live/")) ws.on("framereceived", resolve); });
  });
  const response = await page.goto(`${BASE}/examples/vue-host/dist/index.html`);
  assert.equal(response.status(), 200, "the example was built (www/examples/vue-host/dist)");
  await page.waitForFunction(() => document.body.dataset.rendered === "true", null, { timeout: 60000 });
  await page.waitForFunction(() => document.body.dataset.live === "open", null, { timeout: 30000 });
  const live = await Promise.race([frames, new Promise((r) => setTimeout(() => r(null), 30000))]);
  assert.ok(live, "a live message reached the Vue host");
  const result = await page.evaluate(() => ({
    status: document.getElementById("status").textContent,
    canvases: document.querySelector("vantage-dashboard vantage-embed").shadowRoot.querySelectorAll("canvas").length,
  }));
  await screenshot(page, "hosts-vue");
  await assertAccessible(page, "the Vue host example");
  assert.match(result.status, /widgets$/);
  assert.ok(result.canvases >= 5, `charts drawn: ${result.canvases}`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

const HOSTILE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hostile host</title>
<style>
  * { color: rgb(255, 0, 0) !important; font-family: "Comic Sans MS", cursive !important; margin: 7px !important;
      padding: 9px !important; border: 3px dashed rgb(255, 0, 255) !important; background: rgb(255, 255, 0) !important;
      line-height: 3 !important; text-transform: uppercase !important; }
  div { display: inline !important; width: 10px !important; height: 10px !important; opacity: 0.5 !important; }
  canvas { display: none !important; }
  .vt-card, .vt-root, .vt-echart { visibility: hidden !important; }
  /* The documented hooks. */
  #shadowed vantage-embed::part(root) { --vt-surface: rgb(250, 240, 230); }
  #shadowed vantage-embed::part(card) { border-color: rgb(0, 128, 0); }
</style>
<script src="/vendor/echarts/echarts-vantage.min.js"></script></head>
<body><main><h1>Hostile host</h1><p class="vt-card vt-button" id="decoy">a host element with the embed's class names</p>
<section id="shadowed" style="width: 1000px"></section><section id="light" style="width: 1000px"></section></main></body></html>`;

test("host CSS cannot restyle the embed in its shadow root, its CSS does not leak out, ::part/--vt-* and setTheme still style it", async () => {
  const page = await newPage(browser, { width: 1100, height: 1400 });
  await page.route(`${BASE}/hostile-host.html`, (route) => route.fulfill({ contentType: "text/html", body: HOSTILE_PAGE }));
  await page.goto(`${BASE}/hostile-host.html`);
  await page.evaluate(async () => {
    const { EmbeddedDashboard } = await import("/pkg/index.js");
    const post = async (path, body, auth) => (await fetch(`/api/v1${path}`, { method: "POST",
      headers: { "Content-Type": "application/json", ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
      body: JSON.stringify(body) })).json();
    const login = await post("/auth/login", { email: "manager@healthco.test", password: "vantage-demo" });
    const token = async () => (await post("/embed/tokens", { dashboardId: "healthco-ai-quality", permissions: ["view_dashboard"],
      allowedOrigins: [location.origin], lockedFilters: [], expiresIn: 600 }, login.accessToken)).token;
    const base = { baseUrl: location.origin, dashboardId: "healthco-ai-quality", live: "off", theme: "light" };
    window.shadowed = new EmbeddedDashboard({ ...base, token: await token() });
    await window.shadowed.render("#shadowed");
    // Rendered later (after the checks of the shadowed one): it adopts its stylesheet into the document.
    window.renderLight = async () => {
      window.light = new EmbeddedDashboard({ ...base, token: await token(), shadow: false });
      await window.light.render("#light");
    };
  });
  await page.waitForFunction(() => document.querySelector("#shadowed vantage-embed")?.shadowRoot.querySelectorAll("canvas").length >= 5, null, { timeout: 60000 });
  await page.waitForTimeout(500); // the charts' first resize after layout

  const inspect = () => page.evaluate(() => {
    const shadow = document.querySelector("#shadowed vantage-embed").shadowRoot;
    const hostStyle = getComputedStyle(document.querySelector("#shadowed vantage-embed"));
    const card = shadow.querySelector(".vt-card");
    const title = shadow.querySelector(".vt-card-title");
    const chart = shadow.querySelector(".vt-echart");
    const canvas = chart.querySelector("canvas");
    const cs = (el) => getComputedStyle(el);
    const decoy = cs(document.getElementById("decoy"));
    const lightCanvas = document.querySelector("#light canvas");
    return {
      host: { display: hostStyle.display, margin: hostStyle.marginTop, padding: hostStyle.paddingTop, border: hostStyle.borderTopWidth },
      card: { display: cs(card).display, visibility: cs(card).visibility, background: cs(card).backgroundColor, border: cs(card).borderTopColor,
        radius: cs(card).borderTopLeftRadius, opacity: cs(card).opacity },
      title: { color: cs(title).color, font: cs(title).fontFamily, transform: cs(title).textTransform },
      chart: { width: chart.clientWidth, height: chart.clientHeight, canvasDisplay: cs(canvas).display,
        canvasCssWidth: canvas.getBoundingClientRect().width },
      decoy: { radius: decoy.borderTopLeftRadius },
      light: { canvasDisplay: lightCanvas ? cs(lightCanvas).display : "absent" },
    };
  });
  const before = await inspect();
  await screenshot(page, "hosts-hostile-css");
  await assertAccessible(page, "an embed under a hostile host stylesheet");
  // The shadow host itself: the page's `*` and `div` rules lose to its `:host` rules.
  assert.deepEqual(before.host, { display: "block", margin: "0px", padding: "0px", border: "0px" });
  // Inside: nothing of the page's CSS applies; the hooks do.
  assert.deepEqual(before.card, { display: "flex", visibility: "visible", background: "rgb(250, 240, 230)",
    border: "rgb(0, 128, 0)", radius: "10px", opacity: "1" });
  assert.notEqual(before.title.color, "rgb(255, 0, 0)");
  assert.doesNotMatch(before.title.font, /Comic/);
  assert.equal(before.title.transform, "none");
  // ECharts sized its canvas to the widget inside the shadow root.
  assert.equal(before.chart.canvasDisplay, "block");
  assert.ok(before.chart.width > 150 && before.chart.height > 100, JSON.stringify(before.chart));
  assert.ok(Math.abs(before.chart.canvasCssWidth - before.chart.width) <= 1, JSON.stringify(before.chart));
  // Out: the embed's stylesheet (adopted by its shadow root) does not style host elements.
  assert.equal(before.decoy.radius, "0px");
  // `shadow: false` keeps the light DOM: there the page's CSS does reach the embed.
  await page.evaluate(() => window.renderLight());
  await page.locator("#light canvas").first().waitFor({ state: "attached", timeout: 30000 });
  assert.equal((await inspect()).light.canvasDisplay, "none");

  // setTheme still restyles it live (the host's --vt-surface override stays).
  await page.evaluate(() => window.shadowed.setTheme("dark"));
  const after = await inspect();
  await screenshot(page, "hosts-hostile-css-dark");
  assert.notEqual(after.title.color, before.title.color, "dark theme text colour");
  assert.equal(after.card.background, "rgb(250, 240, 230)");
  assert.deepEqual(page.errors, []);
  await page.evaluate(() => { window.shadowed.destroy(); window.light.destroy(); });
  assert.equal(await page.locator("vantage-embed").count(), 0);
  await page.context().close();
});

test("vantage-embed/react imports and server-renders where there is no DOM (Next.js server components, SSR)", async () => {
  // The tarball as installed in the React host (react and react-dom resolve from there).
  const { pathToFileURL } = await import("node:url");
  const { resolve } = await import("node:path");
  const from = (p) => import(pathToFileURL(resolve(process.cwd(), "examples/react-host/node_modules", p)).href);
  assert.equal(typeof globalThis.window, "undefined");
  const { VantageDashboard } = await from("vantage-embed/react.js");
  const { createElement } = await from("react/index.js");
  const { renderToString } = await from("react-dom/server.node.js");
  const html = renderToString(createElement(VantageDashboard, { baseUrl: "https://a.example", dashboardId: "d", token: "t", id: "analytics" }));
  assert.equal(html, '<div id="analytics"></div>');
  const vue = await from("vantage-embed/vue.js");
  assert.equal(vue.isCustomElement("vantage-dashboard"), true);
  assert.equal(vue.isCustomElement("div"), false);
});
