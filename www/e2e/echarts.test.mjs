// The trimmed ECharts (www/boot/echarts.js, bundled by `cargo xtask` with esbuild): the app, the
// demo pages and the gallery load it instead of the 1.1 MB dist build, precompressed and with
// validators, and it draws every widget the full build draws. A production ECharts silently skips
// a chart or component that was not registered with echarts.use(), so the gallery is drawn twice,
// once with each build, and what ECharts built for each chart is compared.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { BASE, drawCharts, launch, newPage, screenshot } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const TRIMMED = "/vendor/echarts/echarts-vantage.min.js";
const FULL = "/vendor/echarts/echarts.min.js";

/** A raw GET (no automatic decompression): status, headers and the body's byte length. */
function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(`${BASE}${path}`, { headers }, (response) => {
      const chunks = [];
      response.on("data", (c) => chunks.push(c));
      response.on("end", () => resolve({
        status: response.statusCode,
        headers: response.headers,
        body: Buffer.concat(chunks),
      }));
    }).on("error", reject);
  });
}

/** Checks that `path` is sent as brotli and gzip files with a strong ETag, and 304 on revalidation. */
async function assertPrecompressed(path, cacheControl) {
  const identity = await get(path);
  assert.equal(identity.status, 200, path);
  for (const encoding of ["br", "gzip"]) {
    const packed = await get(path, { "accept-encoding": encoding });
    assert.equal(packed.status, 200, `${path} (${encoding})`);
    assert.equal(packed.headers["content-encoding"], encoding, `${path} is sent as ${encoding}`);
    assert.equal(packed.headers["cache-control"], cacheControl, path);
    assert.match(packed.headers.vary ?? "", /accept-encoding/i, path);
    assert.ok(packed.body.length < identity.body.length / 2.5,
      `${path}: ${encoding} ${packed.body.length} B vs ${identity.body.length} B raw`);
    const etag = packed.headers.etag;
    assert.match(etag ?? "", /^"[0-9a-f]+"$/, `${path} has a strong ETag`);
    const again = await get(path, { "accept-encoding": encoding, "if-none-match": etag });
    assert.equal(again.status, 304, `${path} revalidates with If-None-Match`);
  }
  return identity.body;
}

test("the app and the pages load the trimmed ECharts, precompressed, cached and with validators", async () => {
  const boot = (await get("/app/boot.js")).body.toString();
  const hashed = boot.match(/"(\/app\/echarts\.[0-9a-f]{16}\.js)"/)?.[1];
  assert.ok(hashed, `boot.js names the app's hashed copy of the trimmed ECharts:\n${boot.slice(0, 600)}`);
  assert.ok(!boot.includes("echarts.min.js"), "boot.js no longer loads the full dist build");
  const immutable = "public, max-age=31536000, immutable";
  const appCopy = await assertPrecompressed(hashed, immutable);
  const trimmed = await assertPrecompressed(TRIMMED, "no-cache");
  assert.ok(appCopy.equals(trimmed), "the app's copy is the same build the pages load");
  const full = (await get(FULL)).body;
  assert.ok(trimmed.length < full.length * 0.7,
    `trimmed ${trimmed.length} B vs the full build's ${full.length} B`);
  const wasm = boot.match(/"(\/app\/vantage_app_bg\.[0-9a-f]{16}\.wasm)"/)?.[1];
  assert.ok(wasm, "boot.js names the hashed wasm");
  await assertPrecompressed(wasm, immutable);

  for (const path of ["/login", "/gallery.html", "/embed.html"]) {
    const page = await newPage(browser);
    const scripts = [];
    page.on("request", (r) => { if (/echarts[^/]*\.js$/.test(r.url())) scripts.push(new URL(r.url()).pathname); });
    await page.goto(`${BASE}${path}`);
    if (path === "/login") {
      // The sign-in page draws no chart, so it fetches no ECharts (boot.test.mjs checks that);
      // the first chart asks boot.js' loader for it, as here.
      await page.waitForSelector("input[name=email]", { timeout: 60000 });
      await page.evaluate(() => globalThis.vantageLoadECharts());
    }
    await page.waitForFunction(() => typeof globalThis.echarts?.init === "function", null, { timeout: 60000 });
    const expected = path === "/login" ? hashed : TRIMMED;
    assert.deepEqual(scripts, [expected], `${path} loads only the trimmed ECharts`);
    // The SVG renderer is in the trimmed build: image export (EChartsHandle::to_svg) renders with it.
    const svg = await page.evaluate(() => {
      const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: 120, height: 80 });
      chart.setOption({ animation: false, series: [{ type: "pie", data: [{ value: 1 }, { value: 2 }] }] });
      const text = chart.renderToSVGString();
      chart.dispose();
      return text;
    });
    assert.match(svg, /^<svg[\s\S]*<path/, `${path}: SVG export renders`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

/** Every chart in the light gallery: its series types and the components ECharts built. */
async function galleryCharts(full) {
  const page = await newPage(browser, { width: 1400, height: 1000 });
  if (full) {
    // The same page with the full dist build answering for the trimmed one.
    await page.route(`**${TRIMMED}`, async (route) => {
      const response = await route.fetch({ url: `${BASE}${FULL}` });
      await route.fulfill({ response });
    });
  }
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  await page.goto(`${BASE}/gallery.html`);
  await page.waitForFunction(() => document.querySelectorAll("#gallery-light canvas").length > 3, null, { timeout: 60000 });
  // Charts far below the fold are drawn as they come near the view.
  await drawCharts(page);
  // Every chart has been handed its option: each widget's option turns `aria` on, and getOption()
  // echoes it with either build (it echoes only registered series, so those cannot be waited on).
  await page.waitForFunction(() => [...document.querySelectorAll("#gallery-light .vt-echart")]
    .every((el) => echarts.getInstanceByDom(el)?.getOption()?.aria), null, { timeout: 60000 });
  // What ECharts built from each option: getOption() echoes unregistered parts of the option
  // back, so the model is read instead (its component and series models, the data each series
  // holds) plus the aria label the aria component writes.
  const charts = await page.evaluate(() => [...document.querySelectorAll("#gallery-light .vt-echart")]
    .map((el) => {
      const chart = echarts.getInstanceByDom(el);
      if (!chart) return null;
      const card = el.closest("[data-widget-id]") ?? el.closest(".vt-card");
      const components = [];
      chart.getModel().eachComponent((mainType, model) => {
        if (mainType !== "series") components.push(`${mainType}.${model.subType ?? ""}`);
      });
      // The picture: the chart's option drawn again, without animation, by the SVG renderer at
      // the same size (deterministic, unlike a canvas caught mid-animation). Layout features
      // such as `grid.containLabel` (LegacyGridContainLabel in ECharts 6) show up here.
      const copy = echarts.init(null, null, {
        renderer: "svg", ssr: true, width: chart.getWidth(), height: chart.getHeight(),
      });
      copy.setOption({ ...chart.getOption(), animation: false });
      const svg = copy.renderToSVGString();
      copy.dispose();
      return {
        widget: card?.dataset.widgetId ?? card?.querySelector("h2, h3, .vt-card-title")?.textContent ?? "?",
        series: chart.getModel().getSeries().map((s) => `${s.subType}:${s.getData().count() > 0}`),
        components: components.sort(),
        aria: Boolean(el.getAttribute("aria-label")),
        svg,
      };
    })
    .filter(Boolean));
  await screenshot(page, full ? "gallery-full-echarts" : "gallery-trimmed-echarts");
  const pageErrors = page.errors;
  await page.context().close();
  return { charts, consoleErrors, pageErrors };
}

test("every gallery chart is drawn by the trimmed ECharts as by the full build", async () => {
  const trimmed = await galleryCharts(false);
  const full = await galleryCharts(true);
  assert.deepEqual(trimmed.pageErrors, []);
  assert.deepEqual(trimmed.consoleErrors.filter((m) => /echarts|not imported/i.test(m)), []);
  const kinds = new Set(trimmed.charts.flatMap((c) => c.series.map((s) => s.split(":")[0])));
  for (const kind of ["line", "bar", "pie", "scatter", "heatmap", "gauge"]) {
    assert.ok(kinds.has(kind), `the gallery draws a ${kind} chart with the trimmed build (${[...kinds]})`);
  }
  assert.ok(trimmed.charts.length >= 8, `charts found: ${trimmed.charts.length}`);
  assert.deepEqual(trimmed.charts.filter((c) => !c.aria).map((c) => c.widget), [], "every chart has its aria label");
  const strip = (charts) => charts.map(({ svg, ...rest }) => rest);
  assert.deepEqual(strip(trimmed.charts), strip(full.charts));
  for (const [i, chart] of trimmed.charts.entries()) {
    assert.ok(chart.svg.length > 1000, `${chart.widget}: SVG drawn`);
    assert.ok(chart.svg === full.charts[i].svg, `${chart.widget}: the trimmed build draws the same picture`);
  }
});
