// vantage-embed in a plain host page (www/embed.html) served with a strict CSP by the reference server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS, BASE, assertAccessible, launch, newPage, screenshot } from "./harness.mjs";

// Reads an .xlsx with openpyxl (installed by `cargo xtask setup`): every sheet's rows, with
// numbers as numbers, date cells as epoch milliseconds (UTC) and the cells' types.
const READ_XLSX = `
import json, sys, datetime, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
epoch = datetime.datetime(1970, 1, 1)
def cell(c):
    v = c.value
    if isinstance(v, datetime.datetime):
        return {"t": "date", "v": round((v - epoch).total_seconds() * 1000)}
    return {"t": type(v).__name__, "v": v}
print(json.dumps({ws.title: [[cell(c) for c in row] for row in ws.iter_rows()] for ws in book.worksheets}))
`;

function readXlsx(base64) {
  const file = join(mkdtempSync(join(tmpdir(), "vantage-xlsx-")), "export.xlsx");
  writeFileSync(file, Buffer.from(base64, "base64"));
  const run = spawnSync("python3", ["-c", READ_XLSX, file], { encoding: "utf8" });
  assert.equal(run.status, 0, `openpyxl could not read the export: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function openEmbedPage() {
  const page = await newPage(browser, { width: 1500, height: 1000 });
  const violations = [];
  page.on("console", (m) => { if (m.text().includes("Content Security Policy")) violations.push(m.text()); });
  const response = await page.goto(`${BASE}/embed.html`);
  page.violations = violations;
  page.csp = response.headers()["content-security-policy"];
  await page.waitForFunction(() => document.querySelectorAll("#dash-healthco canvas").length > 0
    && document.querySelectorAll("#dash-autoinsure canvas").length > 0, null, { timeout: 60000 });
  return page;
}

test("the host page renders two tenants' dashboards under a strict CSP, with events", async () => {
  const page = await openEmbedPage();
  assert.match(page.csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(page.csp, /style-src 'self'/);
  // `rendered` fires once every chart is drawn, a few tasks after the first canvas appears.
  await page.waitForFunction(() => document.querySelector("#event-log")?.textContent.includes("healthco rendered"),
    null, { timeout: 30000 });
  const log = await page.locator("#event-log").textContent();
  for (const event of ["healthco ready", "autoinsure ready", "healthco rendered", "liveStatus"]) {
    assert.ok(log.includes(event), `event log lacks "${event}": ${log.slice(0, 400)}`);
  }
  assert.doesNotMatch(log, / (healthco|autoinsure) error /, "a healthy dashboard raises no error events");
  const scriptViolations = page.violations.filter((v) => v.includes("script"));
  assert.deepEqual(scriptViolations, []);
  assert.deepEqual(page.errors, []);
  await screenshot(page, "embed-host-light");
  await page.context().close();
});

test("the host page fits a phone: no sideways scrolling, both dashboards rendered", async () => {
  const page = await newPage(browser, { width: 412, height: 823 });
  await page.goto(`${BASE}/embed.html`);
  await page.waitForFunction(() => (document.getElementById("event-log")?.textContent.match(/ rendered/g) ?? []).length >= 2,
    null, { timeout: 60000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
  await screenshot(page, "embed-host-phone");
  await assertAccessible(page, "the embed demo on a phone");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/** Signs in as the analyst and opens the dashboard bench page (the package loaded, no embed yet). */
async function openBenchPage(viewport = { width: 1400, height: 1000 }) {
  const login = await fetch(`${BASE}/api/v1/auth/login`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: "analyst@healthco.test", password: "vantage-demo" }),
  }).then((r) => r.json());
  const page = await newPage(browser, viewport);
  await page.goto(`${BASE}/bench/dashboard-ours.html#token=${login.accessToken}`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60000 });
  // For the tests' page code: `nextFrames(n)`, and `embedUntilRendered(style)`, which embeds the
  // dashboard (no live connection) in a new host at the end of the page and resolves once it
  // is rendered.
  await page.evaluate((token) => {
    window.nextFrames = (n) => new Promise((r) => { const step = () => (n-- > 0 ? requestAnimationFrame(step) : r()); step(); });
    window.embedUntilRendered = async (style = "") => {
      const { EmbeddedDashboard } = await import("/pkg/vantage_embed.js");
      const host = document.createElement("div");
      host.style.cssText = style;
      document.body.append(host);
      const dash = new EmbeddedDashboard({ baseUrl: location.origin, dashboardId: "healthco-ai-quality", token, shadow: false, live: "off" });
      await new Promise((resolve, reject) => {
        dash.on("rendered", resolve);
        dash.on("error", (e) => reject(new Error(e.message)));
        dash.render(host).catch(reject);
      });
      return { dash, host };
    };
  }, login.accessToken);
  return { page, token: login.accessToken };
}

test("rendered fires only once every chart of the dashboard in view is drawn (chart creation is paced over tasks)", async () => {
  const { page, token } = await openBenchPage();
  const seen = await page.evaluate(async (token) => {
    const { EmbeddedDashboard } = await import("/pkg/vantage_embed.js");
    const host = document.createElement("div");
    host.style.cssText = "width: 1300px";
    document.body.append(host);
    const dash = new EmbeddedDashboard({ baseUrl: location.origin, dashboardId: "healthco-ai-quality", token, shadow: false });
    const counts = await new Promise((resolve, reject) => {
      dash.on("rendered", () => resolve({
        charts: host.querySelectorAll(".vt-echart").length,
        drawn: [...host.querySelectorAll(".vt-echart")].filter((c) => c.querySelector("canvas")).length,
      }));
      dash.on("error", (e) => reject(new Error(e.message)));
      dash.render(host).catch(reject);
    });
    dash.destroy();
    return counts;
  }, token);
  assert.ok(seen.charts >= 5, `the dashboard has several charts: ${JSON.stringify(seen)}`);
  assert.equal(seen.drawn, seen.charts, "every chart has its canvas when rendered fires");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("on a phone, charts far below the fold are drawn as they come near the view; an export or print draws one at once", async () => {
  const { page } = await openBenchPage({ width: 412, height: 823 });
  const seen = await page.evaluate(async () => {
    const { dash, host } = await window.embedUntilRendered();
    const charts = () => [...host.querySelectorAll(".vt-echart")];
    const state = () => charts().map((c) => {
      const r = c.getBoundingClientRect();
      return { top: Math.round(r.top), drawn: !!c.querySelector("canvas"), id: c.closest("[data-widget-id]")?.dataset.widgetId };
    });
    const onRendered = state();
    // An export of a widget nobody has scrolled to: drawn on demand, exported at its size.
    const far = onRendered.filter((c) => !c.drawn).at(-1);
    let exported = null;
    if (far) {
      const blob = await dash.exportImage({ widgetId: far.id, format: "png" });
      exported = { type: blob.type, bytes: blob.size };
    }
    const afterExport = state();
    // Scrolling one far chart into view draws it.
    const next = afterExport.find((c) => !c.drawn);
    if (next) {
      host.querySelector(`[data-widget-id="${next.id}"] .vt-echart`).scrollIntoView();
      await nextFrames(6);
    }
    const afterScroll = next ? state().find((c) => c.id === next.id) : null;
    window.scrollTo(0, 0);
    // Printing shows the whole page: every chart is drawn before the print layout.
    window.dispatchEvent(new Event("beforeprint"));
    const afterPrint = state();
    dash.destroy();
    return { viewport: innerHeight, onRendered, far, exported, afterExport, afterScroll, afterPrint };
  });
  const near = seen.onRendered.filter((c) => c.top < seen.viewport * 1.5);
  const farAway = seen.onRendered.filter((c) => c.top > seen.viewport * 1.5);
  assert.ok(near.length >= 1 && near.every((c) => c.drawn), `charts in and near the view are drawn: ${JSON.stringify(seen.onRendered)}`);
  assert.ok(farAway.length >= 2 && farAway.every((c) => !c.drawn), `charts far below wait: ${JSON.stringify(seen.onRendered)}`);
  assert.deepEqual(seen.exported?.type, "image/png");
  assert.ok(seen.exported.bytes > 2000, `the exported chart has content: ${seen.exported.bytes} bytes`);
  assert.ok(seen.afterExport.find((c) => c.id === seen.far.id).drawn, "the exported chart stays drawn");
  assert.ok(seen.afterScroll?.drawn, "a chart scrolled into view is drawn");
  assert.ok(seen.afterPrint.every((c) => c.drawn), `beforeprint draws every chart: ${JSON.stringify(seen.afterPrint)}`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a chart is laid out again only when its size changes (not once more after it is created)", async () => {
  const { page } = await openBenchPage();
  const seen = await page.evaluate(async () => {
    // Every resize() ECharts is asked for, with the size it had laid the chart out at and the
    // element's size at that moment.
    const resizes = [];
    const init = echarts.init;
    echarts.init = function (element, ...rest) {
      const chart = init.call(this, element, ...rest);
      const resize = chart.resize;
      chart.resize = function (...args) {
        resizes.push({ from: [chart.getWidth(), chart.getHeight()], to: [element.clientWidth, element.clientHeight] });
        return resize.apply(this, args);
      };
      return chart;
    };
    const { dash, host } = await window.embedUntilRendered("width: 1300px");
    await nextFrames(5);
    const afterLoad = resizes.splice(0);
    host.style.width = "900px";
    await nextFrames(5);
    const canvases = [...host.querySelectorAll(".vt-echart")].map((c) => [c.clientWidth, c.querySelector("canvas")?.getBoundingClientRect().width]);
    dash.destroy();
    return { afterLoad, afterWidthChange: resizes, canvases };
  });
  const sameSize = seen.afterLoad.filter((r) => r.from[0] === r.to[0] && r.from[1] === r.to[1]);
  assert.deepEqual(sameSize, [], "no chart is laid out again at the size it already has");
  assert.ok(seen.afterWidthChange.length >= 5, `every chart follows its narrower card: ${JSON.stringify(seen.afterWidthChange)}`);
  for (const [element, canvas] of seen.canvases) assert.equal(Math.round(canvas), element, "the canvas is as wide as its chart");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("an export module that does not arrive rejects exportData with a network error; the next export loads it", async () => {
  const page = await openEmbedPage();
  const chunk = /\/pkg\/split_export\.wasm$/;
  await page.route(chunk, (route) => route.abort("internetdisconnected"));
  const failed = await page.evaluate(async () => {
    try {
      await window.vantageEmbeds.healthco.exportData({ format: "csv" });
      return null;
    } catch (e) {
      return { code: e.code, message: e.message };
    }
  });
  assert.equal(failed?.code, "network", `exportData rejects with a network error: ${JSON.stringify(failed)}`);
  assert.match(failed.message, /did not load/);
  await page.unroute(chunk);
  const csv = await page.evaluate(async () => (await window.vantageEmbeds.healthco.exportData({ format: "csv" })).text());
  assert.match(csv, /^# \S+\r\n/, "the retry fetched the module and exported");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the embedded alerts widget lists the alerts raised before it mounted", async () => {
  // What the tenant's users see (the seeded history), read before the embed mounts.
  const post = (path, body, token) => fetch(`${BASE}/api/v1${path}`, {
    method: body ? "POST" : "GET",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).then((r) => r.json());
  const { accessToken } = await post("/auth/login", { email: "manager@healthco.test", password: "vantage-demo" });
  const { items } = await post("/alerts", null, accessToken);
  assert.ok(items.length > 0, "the demo tenant has alerts from before the page opened");
  const page = await openEmbedPage();
  const titles = page.locator("#dash-healthco [data-widget-id='alerts'] .vt-alert-title");
  await page.waitForFunction((n) => document.querySelectorAll(
    "#dash-healthco [data-widget-id='alerts'] .vt-alert-title").length >= n, Math.min(items.length, 100), { timeout: 20000 });
  const shown = new Set(await titles.allTextContents());
  for (const alert of items) assert.ok(shown.has(alert.title), `the embed lists "${alert.title}"`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("host buttons set filters and switch themes; exports parse back to the loaded data", async () => {
  const page = await openEmbedPage();
  const bodies = [];
  page.on("request", (r) => { if (r.url().endsWith("/data")) bodies.push(r.postData() ?? ""); });
  await page.click("[data-action=filter-billing]");
  await page.waitForFunction(() => document.querySelector("#event-log").textContent.includes("filtersChanged"));
  const filters = await page.evaluate(() => window.vantageEmbeds.healthco.getFilters());
  assert.deepEqual(filters, [{ field: "intent", op: "eq", value: "billing" }]);
  assert.ok(bodies.some((b) => b.includes("billing")), "the data request carries the filter");

  await page.click("[data-action=theme-dark]");
  assert.equal(await page.evaluate(() => document.querySelector("#dash-healthco .vt-root").dataset.mode), "dark");
  await screenshot(page, "embed-host-dark");
  await assertAccessible(page, "the embed demo, dark theme set by the host");

  // The exporters are an on-demand module of the package (crates/sdk/src/lazy.rs): fetched by
  // the first export, not before.
  const modules = () => page.evaluate(() => performance.getEntriesByType("resource")
    .map((e) => e.name).filter((n) => /\/pkg\/(split|chunk)_\w+\.wasm$/.test(n)).map((n) => n.replace(/.*\/pkg\//, "")));
  assert.ok(!(await modules()).includes("split_export.wasm"), `no export module before an export: ${await modules()}`);
  // A format it does not know is an error before anything is fetched.
  const badFormat = await page.evaluate(() => window.vantageEmbeds.healthco.exportData({ format: "pdf" })
    .then(() => "resolved", (e) => `${e.code}: ${e.message}`));
  assert.match(badFormat, /^config: format: expected "csv", "json" or "xlsx", got "pdf"/);
  assert.ok(!(await modules()).includes("split_export.wasm"), "a bad format fetches no export module");
  const exported = await page.evaluate(async () => {
    const dash = window.vantageEmbeds.healthco;
    const base64 = async (blob) => {
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let text = "";
      for (const b of bytes) text += String.fromCharCode(b);
      return btoa(text);
    };
    const all = JSON.parse(await (await dash.exportData({ format: "json" })).text());
    const firstId = Object.keys(all)[0];
    const one = await (await dash.exportData({ format: "csv", widgetId: firstId })).text();
    const xlsxBlob = await dash.exportData({ format: "xlsx" });
    const xlsxOne = await base64(await dash.exportData({ format: "xlsx", widgetId: firstId }));
    const chartId = document.querySelector("#dash-healthco [data-widget-id] .vt-echart")
      .closest("[data-widget-id]").dataset.widgetId;
    const png = await dash.exportImage({ widgetId: chartId, format: "png" });
    const svg = await dash.exportImage({ widgetId: chartId, format: "svg" });
    const image = { chartId, pngType: png.type, pngBytes: png.size, pngMagic: [...new Uint8Array(await png.slice(0, 4).arrayBuffer())],
      svgType: svg.type, svg: await svg.text() };
    return { all, firstId, one, xlsx: await base64(xlsxBlob), xlsxType: xlsxBlob.type, xlsxOne, image };
  });
  assert.ok((await modules()).includes("split_export.wasm"), "the first export fetched the export module");
  const table = exported.all[exported.firstId];
  const lines = exported.one.trim().split("\r\n");
  assert.equal(lines[0], table.columns.map((c) => c.name).join(","));
  assert.equal(lines.length - 1, table.rows.length, "one CSV line per row");
  const firstRow = table.rows[0].map((v) => (v === null ? "" : String(v))).join(",");
  if (!firstRow.includes('"')) assert.equal(lines[1], firstRow);
  const { image } = exported;
  assert.equal(image.pngType, "image/png");
  assert.deepEqual(image.pngMagic, [0x89, 0x50, 0x4e, 0x47], `${image.chartId}: a PNG`);
  assert.ok(image.pngBytes > 2000, `PNG of ${image.chartId} has content (${image.pngBytes} bytes)`);
  writeFileSync(join(ARTIFACTS, "embed-export.svg"), image.svg);
  assert.equal(image.svgType, "image/svg+xml");
  assert.match(image.svg, /^<svg[\s\S]*<\/svg>$/);
  assert.match(image.svg, /^<svg width="[1-9]\d*" height="[1-9]\d*"/, "the chart's size");
  assert.ok((image.svg.match(/<path/g) ?? []).length >= 2, `SVG of ${image.chartId} draws the chart: ${image.svg.slice(0, 300)}`);

  // XLSX: a real workbook a standard reader opens, one sheet per widget, typed cells holding the
  // same values as the JSON export (and so as the CSV and the charts).
  assert.equal(exported.xlsxType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  const book = readXlsx(exported.xlsx);
  assert.deepEqual(Object.keys(book).sort(), Object.keys(exported.all).sort(), "one sheet per widget, named by id");
  let dates = 0, numbers = 0;
  for (const [id, sheet] of Object.entries(book)) {
    const expected = exported.all[id];
    assert.deepEqual(sheet[0].map((c) => c.v), expected.columns.map((c) => c.name), `${id}: header row`);
    assert.equal(sheet.length - 1, expected.rows.length, `${id}: one row per data row`);
    expected.rows.forEach((row, r) => row.forEach((value, c) => {
      const got = sheet[r + 1]?.[c] ?? { t: "NoneType", v: null };
      const type = expected.columns[c].type;
      if (value === null) return assert.equal(got.v, null, `${id} R${r + 2}C${c + 1}`);
      if (type === "timestamp") { dates++; assert.deepEqual(got, { t: "date", v: value }, `${id} R${r + 2}C${c + 1}`); }
      else if (type === "integer" || type === "float") {
        numbers++;
        assert.ok(got.t === "int" || got.t === "float", `${id} R${r + 2}C${c + 1} is numeric, got ${got.t}`);
        assert.ok(Math.abs(got.v - value) <= 1e-9 * Math.max(1, Math.abs(value)), `${id} R${r + 2}C${c + 1}: ${got.v} vs ${value}`);
      } else if (type === "boolean") assert.deepEqual(got, { t: "bool", v: value });
      else assert.equal(got.v, String(value), `${id} R${r + 2}C${c + 1}`);
    }));
  }
  assert.ok(numbers > 0, "the dashboard's export has numeric cells");
  const single = readXlsx(exported.xlsxOne);
  assert.deepEqual(Object.keys(single), [exported.firstId]);
  assert.equal(single[exported.firstId].length - 1, table.rows.length);
  console.log(`xlsx: ${Object.keys(book).length} sheets, ${numbers} numeric and ${dates} date cells checked`);
  await page.context().close();
});

test("with no theme the embed takes the token's tenant brand; an explicit theme wins", async () => {
  const page = await openEmbedPage();
  const result = await page.evaluate(async () => {
    const { EmbeddedDashboard } = await import("/pkg/index.js");
    const primary = (root) => getComputedStyle(root).getPropertyValue("--vt-primary").trim();
    const post = async (path, body, auth) => (await fetch(`/api/v1${path}`, { method: "POST",
      headers: { "Content-Type": "application/json", ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
      body: JSON.stringify(body) })).json();
    const login = await post("/auth/login", { email: "manager@healthco.test", password: "vantage-demo" });
    const token = (await post("/embed/tokens", { dashboardId: "healthco-latency", permissions: ["view_dashboard"],
      allowedOrigins: [location.origin], lockedFilters: [], expiresIn: 600 }, login.accessToken)).token;
    const out = {
      healthcoBrand: primary(document.querySelector("#dash-healthco .vt-root")),
      autoinsureBrand: primary(document.querySelector("#dash-autoinsure .vt-root")),
    };
    for (const theme of [undefined, "light", "dark", "system"]) {
      const host = document.createElement("div");
      document.body.append(host);
      const dash = new EmbeddedDashboard({ baseUrl: location.origin, dashboardId: "healthco-latency", token, live: "off", ...(theme ? { theme } : {}) });
      await dash.render(host);
      const root = host.querySelector("vantage-embed").shadowRoot.querySelector(".vt-root");
      out[theme ?? "none"] = { primary: primary(root), mode: root.dataset.mode };
      dash.destroy();
      host.remove();
    }
    return out;
  });
  assert.equal(result.healthcoBrand, "#0f766e", "HealthCo's brand colour");
  assert.notEqual(result.autoinsureBrand, result.healthcoBrand, "each tenant's embed has its own brand");
  assert.deepEqual(result.none, { primary: "#0f766e", mode: "light" }, "no theme: the tenant brand");
  assert.notEqual(result.light.primary, "#0f766e", "explicit light is the Vantage light theme, not the brand");
  assert.equal(result.light.mode, "light");
  assert.notEqual(result.dark.primary, "#0f766e");
  assert.equal(result.dark.mode, "dark");
  assert.equal(result.system.mode, "light", "headless Chromium prefers light");

  // "system" (and a brand in system mode, like the tenants' demo brands) follow the viewer's
  // colour scheme while mounted; an explicit "light" does not.
  await page.evaluate(async () => {
    const { EmbeddedDashboard } = await import("/pkg/index.js");
    const login = await (await fetch("/api/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "manager@healthco.test", password: "vantage-demo" }) })).json();
    for (const theme of ["system", "light"]) {
      const host = document.createElement("div");
      host.id = `scheme-${theme}`;
      document.body.append(host);
      const dash = new EmbeddedDashboard({ baseUrl: location.origin, dashboardId: "healthco-latency",
        token: login.accessToken, live: "off", theme });
      await dash.render(host);
    }
  });
  await page.emulateMedia({ colorScheme: "dark" });
  // The embeds created here render in a shadow root (the default); the page's own keep light DOM.
  await page.waitForFunction(() => document.querySelector("#scheme-system vantage-embed").shadowRoot
    .querySelector(".vt-root").dataset.mode === "dark", null, { timeout: 5000 });
  const modes = await page.evaluate(() => Object.fromEntries(["#scheme-system", "#scheme-light", "#dash-healthco"]
    .map((id) => {
      const host = document.querySelector(id);
      return [id, (host.querySelector("vantage-embed")?.shadowRoot ?? host).querySelector(".vt-root").dataset.mode];
    })));
  assert.deepEqual(modes, { "#scheme-system": "dark", "#scheme-light": "light", "#dash-healthco": "dark" });
  await screenshot(page, "embed-host-system-dark");
  await page.context().close();
});

test("bad configuration fails loudly with the documented messages", async () => {
  const page = await openEmbedPage();
  const messages = await page.evaluate(async () => {
    const { EmbeddedDashboard } = await import("/pkg/index.js");
    const attempt = async (f) => { try { await f(); return "no error"; } catch (e) { return e.message; } };
    const ok = { baseUrl: location.origin, dashboardId: "healthco-ai-quality", token: "x" };
    return {
      baseUrl: await attempt(() => new EmbeddedDashboard({ dashboardId: "d", token: "t" })),
      dashboardId: await attempt(() => new EmbeddedDashboard({ baseUrl: location.origin, token: "t" })),
      theme: await attempt(() => new EmbeddedDashboard({ ...ok, theme: "purple" })),
      brand: await attempt(() => new EmbeddedDashboard({ ...ok, theme: { primaryColor: "red" } })),
      fetchToken: await attempt(() => new EmbeddedDashboard({ ...ok, token: undefined, fetchToken: 5 })),
      live: await attempt(() => new EmbeddedDashboard({ ...ok, live: "carrier-pigeon" })),
      shadow: await attempt(() => new EmbeddedDashboard({ ...ok, shadow: "yes" })),
      container: await attempt(() => new EmbeddedDashboard(ok).render("#missing")),
      event: await attempt(() => new EmbeddedDashboard(ok).on("bogus", () => {})),
    };
  });
  assert.match(messages.baseUrl, /^baseUrl: is required/);
  assert.match(messages.dashboardId, /^dashboardId: is required/);
  assert.match(messages.theme, /^theme: expected "light", "dark", "system" or a Branding object/);
  assert.match(messages.brand, /primaryColor/);
  assert.match(messages.fetchToken, /^fetchToken: must be a function/);
  assert.match(messages.live, /^live: expected "auto"/);
  assert.equal(messages.shadow, "shadow: must be true or false");
  assert.match(messages.container, /container '#missing' not found/);
  assert.match(messages.event, /unknown event 'bogus'/);
  await page.context().close();
});

// Counts what an embed could leak, installed before any page script runs: WebSocket and
// EventSource instances still open, and listeners on window/document added but not removed.
function trackResources() {
  const sockets = [];
  for (const name of ["WebSocket", "EventSource"]) {
    const Native = window[name];
    const Tracked = class extends Native {
      constructor(...args) { super(...args); sockets.push({ kind: name, socket: this }); }
    };
    window[name] = Tracked;
  }
  const listeners = new Map();
  const key = (target, type, listener, options) =>
    `${target === window ? "window" : "document"}|${type}|${typeof options === "boolean" ? options : !!options?.capture}`;
  const ids = new WeakMap();
  let next = 0;
  const id = (listener) => { if (!ids.has(listener)) ids.set(listener, ++next); return ids.get(listener); };
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if ((this === window || this === document) && listener) listeners.set(`${key(this, type, listener, options)}|${id(listener)}`, type);
    return add.call(this, type, listener, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    if ((this === window || this === document) && listener) listeners.delete(`${key(this, type, listener, options)}|${id(listener)}`);
    return remove.call(this, type, listener, options);
  };
  window.__leaks = () => ({
    openSockets: sockets.filter(({ kind, socket }) => kind === "WebSocket" ? socket.readyState <= 1 : socket.readyState !== 2).length,
    socketsCreated: sockets.length,
    listeners: listeners.size,
    listenerTypes: [...listeners.values()],
  });
}

test("destroy() ×50 leaves no ECharts instances, open sockets, listener growth or DOM behind", async () => {
  const page = await newPage(browser, { width: 1500, height: 1000 });
  await page.addInitScript(trackResources);
  await page.goto(`${BASE}/embed.html`);
  await page.waitForFunction(() => document.querySelectorAll("#dash-healthco canvas").length > 0
    && document.querySelectorAll("#dash-autoinsure canvas").length > 0, null, { timeout: 60000 });
  const result = await page.evaluate(async () => {
    const { default: init, EmbeddedDashboard } = await import("/pkg/index.js");
    const wasm = await init(); // already initialised by the host page: returns its exports
    let wasmAfterWarmUp = 0;
    const host = document.createElement("div");
    host.style.width = "600px";
    // At the top, in view: charts far below the fold would wait to be scrolled to.
    document.body.prepend(host);
    const post = async (path, body, auth) => (await fetch(`/api/v1${path}`, { method: "POST",
      headers: { "Content-Type": "application/json", ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
      body: JSON.stringify(body) })).json();
    const login = await post("/auth/login", { email: "manager@healthco.test", password: "vantage-demo" });
    const token = (await post("/embed/tokens", { dashboardId: "healthco-ai-quality", permissions: ["view_dashboard"],
      allowedOrigins: [location.origin], lockedFilters: [], expiresIn: 600 }, login.accessToken)).token;
    // An ECharts namespace that records every chart the embed creates.
    const charts = [];
    const echarts = { ...window.echarts, init: (...args) => { const chart = window.echarts.init(...args); charts.push(chart); return chart; } };
    const settle = () => new Promise((r) => setTimeout(r, 300));
    const before = window.__leaks();
    let handlers = 0, liveOpened = 0;
    const statuses = new Set();
    for (let i = 0; i < 50; i++) {
      const dash = new EmbeddedDashboard({ baseUrl: location.origin, dashboardId: "healthco-ai-quality", token, live: "auto", echarts });
      dash.on("ready", () => {});
      dash.on("liveStatus", (e) => { statuses.add(e.status); if (e.status === "open") liveOpened++; });
      await dash.render(host);
      // Every 20th cycle lets the live connection open (it starts after the first data load,
      // which the aborted loads of the fast cycles can delay on a busy machine); the others
      // destroy while requests and the socket handshake are in flight.
      if (i % 20 === 0) {
        await new Promise((resolve) => {
          dash.on("liveStatus", (e) => { if (e.status === "open") resolve(); });
          setTimeout(resolve, 15000);
        });
      }
      dash.destroy();
      handlers += dash.handlerCount;
      if (i === 9) wasmAfterWarmUp = wasm.memory.buffer.byteLength;
    }
    await settle();
    const after = window.__leaks();
    return {
      liveChartsCreated: charts.length > 0,
      liveDisposed: charts.filter((c) => !c.isDisposed()).length,
      socketsCreated: after.socketsCreated - before.socketsCreated,
      openSockets: after.openSockets - before.openSockets,
      listenerGrowth: after.listeners - before.listeners,
      listenerTypes: after.listenerTypes.slice(before.listeners),
      liveOpened,
      wasmGrowthKiB: (wasm.memory.buffer.byteLength - wasmAfterWarmUp) / 1024,
      statuses: [...statuses],
      children: host.childElementCount,
      echartsDom: document.querySelectorAll("div:not(#dash-healthco *):not(#dash-autoinsure *)[_echarts_instance_]").length,
      handlers,
    };
  });
  assert.ok(result.liveChartsCreated, "the embeds drew charts");
  // At least one embed must have gone live so the socket check has something to check; how many
  // of the three waits see "open" within 15 s depends on the machine's load.
  assert.ok(result.socketsCreated >= 1 && result.liveOpened >= 1, `the embeds went live: ${JSON.stringify(result)}`);
  assert.deepEqual(
    { undisposedCharts: result.liveDisposed, openSockets: result.openSockets, listenerGrowth: result.listenerGrowth,
      children: result.children, echartsDom: result.echartsDom, handlers: result.handlers },
    { undisposedCharts: 0, openSockets: 0, listenerGrowth: 0, children: 0, echartsDom: 0, handlers: 0 },
    `left behind: ${JSON.stringify(result)}`,
  );
  // Wasm memory never shrinks; before destroy() disposed the store's reactive owner, every cycle
  // kept its dashboard data (≈ 40 KiB), i.e. ≈ 1,600 KiB over these 40 cycles.
  assert.ok(result.wasmGrowthKiB <= 512, `wasm memory grew ${result.wasmGrowthKiB} KiB over 40 mount/destroy cycles`);
  assert.deepEqual(page.errors, []);
  console.log(`destroy ×50: wasm memory +${result.wasmGrowthKiB} KiB over the last 40 cycles; `
    + `${result.socketsCreated} live connections created (${result.liveOpened} reported open), all closed; statuses ${result.statuses.join("/")}`);
  await page.context().close();
});

test("<vantage-dashboard> renders with a token from vantage-token-request and cleans up on removal", async () => {
  const page = await openEmbedPage();
  const result = await page.evaluate(async () => {
    const { defineElement } = await import("/pkg/index.js");
    defineElement();
    const post = async (path, body, auth) => (await fetch(`/api/v1${path}`, { method: "POST",
      headers: { "Content-Type": "application/json", ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
      body: JSON.stringify(body) })).json();
    const login = await post("/auth/login", { email: "manager@innova.test", password: "vantage-demo" });
    const dashboards = await (await fetch("/api/v1/dashboards", { headers: { Authorization: `Bearer ${login.accessToken}` } })).json();
    const dashboardId = dashboards.items[0].id;
    const token = (await post("/embed/tokens", { dashboardId, permissions: ["view_dashboard"],
      allowedOrigins: [location.origin], lockedFilters: [], expiresIn: 600 }, login.accessToken)).token;
    const element = document.createElement("vantage-dashboard");
    element.setAttribute("base-url", location.origin);
    element.setAttribute("dashboard-id", dashboardId);
    element.setAttribute("live", "off");
    const events = [];
    element.addEventListener("vantage-token-request", (e) => e.detail.respondWith(token));
    element.addEventListener("vantage-ready", () => events.push("ready"));
    document.body.append(element);
    const start = Date.now();
    // The embed renders inside the shadow root of a <vantage-embed> child (the default).
    const canvas = () => element.querySelector("vantage-embed")?.shadowRoot?.querySelector("canvas");
    while (!canvas() && Date.now() - start < 20000) await new Promise((r) => setTimeout(r, 100));
    const rendered = !!canvas();
    element.remove();
    await new Promise((r) => setTimeout(r, 50));
    return { rendered, events, rootsLeft: element.querySelectorAll("vantage-embed, .vt-root").length, dashboard: element.dashboard };
  });
  assert.deepEqual(result, { rendered: true, events: ["ready"], rootsLeft: 0, dashboard: null });
  await page.context().close();
});

test("the Vite host example (bundled package, echarts/core with only our charts) renders under the strict CSP", async () => {
  // `cargo xtask test` builds www/examples/vite-host (tsc --noEmit + vite build) before this runs.
  const page = await newPage(browser, { width: 1300, height: 1000 });
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") consoleErrors.push(m.text()); });
  const response = await page.goto(`${BASE}/examples/vite-host/dist/index.html`);
  assert.equal(response.status(), 200, "the example was built (www/examples/vite-host/dist)");
  assert.match(response.headers()["content-security-policy"], /script-src 'self' 'wasm-unsafe-eval'/);
  await page.waitForFunction(() => document.body.dataset.rendered === "true", null, { timeout: 60000 });
  const result = await page.evaluate(() => ({
    status: document.getElementById("status").textContent,
    // Inside the embed's shadow root (the default).
    canvases: document.querySelector("#analytics vantage-embed").shadowRoot.querySelectorAll("canvas").length,
    widgetErrors: document.querySelector("#analytics vantage-embed").shadowRoot.querySelectorAll(".vt-widget-error, [data-state=error]").length,
    globalEcharts: typeof globalThis.echarts,
  }));
  // The live transport and the exporters are on-demand modules the package fetches relative to
  // itself (`new URL(…, import.meta.url)`): the bundle must carry them and resolve their URLs.
  await page.waitForFunction(() => document.body.dataset.live === "open", null, { timeout: 30000 });
  const csv = await page.evaluate(async () => (await window.vantage.dash.exportData({ format: "csv" })).text());
  assert.match(csv, /^# \S+\r\n/, "a CSV export of every widget, one `# id` section each");
  await screenshot(page, "embed-vite-host");
  await assertAccessible(page, "the Vite host example");
  assert.match(result.status, /widgets$/);
  assert.ok(result.canvases >= 5, `charts drawn: ${result.canvases}`);
  assert.equal(result.widgetErrors, 0);
  assert.equal(result.globalEcharts, "undefined", "the bundled ECharts is injected, not a global");
  // ECharts reports a chart or component that was not registered with echarts.use() as a console error.
  assert.deepEqual(consoleErrors.filter((m) => /echarts|not imported|Content Security Policy/i.test(m)), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the package can be imported where there is no DOM (server-side rendering)", async () => {
  const { pathToFileURL } = await import("node:url");
  const { resolve } = await import("node:path");
  const mod = await import(pathToFileURL(resolve(process.cwd(), "../pkg/index.js")).href);
  assert.equal(typeof mod.EmbeddedDashboard, "function");
  assert.equal(typeof mod.default, "function", "init is the default export");
});
