// Decimation that cannot be seen (issue 18): a large line drawn by our widget reaches ECharts
// reduced to at most four points per pixel column (M4, crates/widgets/src/charts/m4.rs), and the
// picture is the one ECharts draws when fed every point. The same noisy random walk is drawn
// twice at the same size, once by <LineChart> (the SDK's bench entry point, the widgets code a
// dashboard runs) and once by plain ECharts given all points and our chart's own option
// otherwise (animation off on both); the canvases are compared pixel by pixel, unzoomed and
// zoomed in.
//
// What counts as a different pixel: a colour distance above Playwright's default screenshot
// threshold (0.2 in pixelmatch's YIQ metric). Below it are anti-aliasing shades: where a line
// edge crosses a pixel, a stroke through 4 points per column covers it to a slightly different
// degree than one through hundreds (and ECharts itself skips points closer than 0.7 px to the
// previous one, so even its "every point" line is not quite every point). Every differing pixel
// is also counted and logged. As a control, LTTB sampling (ECharts' own downsampling, which
// the widget used before) must fail the same comparison.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, BASE, launch, newPage } from "./harness.mjs";

const POINTS = 500_000;
/** At most this share of pixels may differ visibly. */
const MAX_DIFFERENT = 0.005;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Writes a `data:image/png;base64,…` URL as a PNG artifact. */
function savePng(name, url) {
  writeFileSync(join(ARTIFACTS, `${name}.png`), Buffer.from(url.split(",")[1], "base64"));
}

test("a decimated 500k-point line draws the picture of every point, zoomed or not", async () => {
  const page = await newPage(browser, { width: 1400, height: 1000 });
  // The bench page loads the package with its development entry points and ECharts' dist build.
  await page.goto(`${BASE}/bench/chart-ours.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60000 });

  const setup = await page.evaluate(async (points) => {
    const { BenchData, benchMountLine } = await import("/pkg/vantage_embed.js");
    document.getElementById("chart").remove();
    const stage = (id) => {
      const el = document.createElement("div");
      el.id = id;
      el.style.cssText = "width: 1000px; height: 420px; position: relative";
      document.body.append(el);
      return el;
    };
    // Ours: the widget, fed the 500k-row contract result (xorshift walk, fixed seed).
    // Every setOption our chart gets while it mounts: its first draw should be one update
    // carrying the final pick (the plot's columns worked out before ECharts lays it out,
    // crates/widgets/src/echarts/layout.rs), not a layout pass and then the pick.
    const updates = [];
    const init = echarts.init;
    echarts.init = function (...args) {
      const chart = init.apply(this, args);
      const setOption = chart.setOption;
      chart.setOption = function (option, opts) {
        updates.push(option.series?.[0]?.data?.length ?? null);
        return setOption.call(this, option, opts);
      };
      return chart;
    };
    const oursStage = stage("ours");
    let el = null;
    try {
      window.__mount = benchMountLine(oursStage, new BenchData(points));
      for (let i = 0; i < 600 && !(el && echarts.getInstanceByDom(el)); i++) {
        await new Promise((r) => setTimeout(r, 50));
        el = oursStage.querySelector(".vt-echart");
      }
    } finally {
      echarts.init = init;
    }
    const ours = echarts.getInstanceByDom(el);
    if (!ours) throw new Error("our chart did not start");
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const firstDraw = [...updates];
    // Transitions off, so each comparison sees a finished frame (the peer copies this option).
    ours.setOption({ animation: false });

    // The same walk as BenchData (crates/sdk/src/bench.rs) and the bench's peer page.
    const full = new Float64Array(2 * points);
    const start = Date.UTC(2026, 0, 1);
    let s = 2463534242, y = 500;
    for (let i = 0; i < points; i++) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      y += ((s >>> 0) / 4294967296 - 0.5) * 10;
      full[2 * i] = start + i * 1000;
      full[2 * i + 1] = Math.round(y * 10) / 10;
    }

    // Plain ECharts: our chart's option with every point, animation off, same size; and the
    // control: the same with ECharts' LTTB sampling.
    const rect = el.getBoundingClientRect();
    const plain = (id, extra) => {
      const host = stage(id);
      const div = document.createElement("div");
      div.style.cssText = `width: ${rect.width}px; height: ${rect.height}px`;
      host.append(div);
      const option = ours.getOption();
      option.animation = false;
      Object.assign(option.series[0], { data: full }, extra);
      const chart = echarts.init(div, null, { renderer: "canvas" });
      chart.setOption(option);
      return chart;
    };
    const peer = plain("peer", {});
    const lttb = plain("lttb", { sampling: "lttb" });
    window.__charts = { ours, peer, lttb, full, start };

    return { dpr: devicePixelRatio, firstDraw };
  }, POINTS);
  assert.equal(setup.dpr, 1);
  assert.equal(setup.firstDraw.length, 1,
    `the first draw took ${setup.firstDraw.length} updates (data lengths ${setup.firstDraw})`);
  assert.ok(setup.firstDraw[0] > 2 * 4 && setup.firstDraw[0] < 2 * POINTS,
    `the first update carries the pick, not ${setup.firstDraw[0] / 2} points`);

  /** Pixel comparison of chart `name` with the plain peer, what ours draws, and a diff image. */
  const compare = (name) => page.evaluate(async (name) => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const charts = window.__charts;
    const { ours, full, start } = charts;
    const snapshot = (chart) => {
      const canvas = chart.getDom().querySelector("canvas");
      const copy = document.createElement("canvas");
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, copy.width, copy.height);
      ctx.drawImage(canvas, 0, 0);
      return { copy, ctx, pixels: ctx.getImageData(0, 0, copy.width, copy.height).data };
    };
    const a = snapshot(charts[name]);
    const b = snapshot(charts.peer);
    if (a.copy.width !== b.copy.width || a.copy.height !== b.copy.height) {
      throw new Error(`sizes differ: ${a.copy.width}×${a.copy.height} vs ${b.copy.width}×${b.copy.height}`);
    }
    // pixelmatch's YIQ colour distance (both images are opaque on white).
    const yiq = (p, i) => [
      0.29889531 * p[i] + 0.58662247 * p[i + 1] + 0.11448223 * p[i + 2],
      0.59597799 * p[i] - 0.2741761 * p[i + 1] - 0.32180189 * p[i + 2],
      0.21147017 * p[i] - 0.52261711 * p[i + 1] + 0.31114694 * p[i + 2],
    ];
    const maxDelta = 35215 * 0.2 * 0.2;
    const diff = a.ctx.createImageData(a.copy.width, a.copy.height);
    let visible = 0;
    let any = 0;
    for (let i = 0; i < a.pixels.length; i += 4) {
      const [y1, i1, q1] = yiq(a.pixels, i);
      const [y2, i2, q2] = yiq(b.pixels, i);
      const delta = 0.5053 * (y1 - y2) ** 2 + 0.299 * (i1 - i2) ** 2 + 0.1957 * (q1 - q2) ** 2;
      if (delta > 0) any++;
      if (delta > maxDelta) visible++;
      const grey = 255 - Math.round(0.2 * (255 - b.pixels[i + 1]));
      diff.data.set(delta > maxDelta ? [255, 0, 0, 255] : delta > 0 ? [255, 190, 0, 255]
        : [grey, grey, grey, 255], i);
    }
    const diffCanvas = document.createElement("canvas");
    diffCanvas.width = a.copy.width;
    diffCanvas.height = a.copy.height;
    diffCanvas.getContext("2d").putImageData(diff, 0, 0);

    // What ours handed to ECharts: every drawn point must be a true point of the series.
    const drawn = ours.getOption().series[0].data;
    const count = drawn.length / 2;
    let untrue = 0;
    for (let k = 0; k < count; k++) {
      const index = (drawn[2 * k] - start) / 1000;
      if (full[2 * index] !== drawn[2 * k] || full[2 * index + 1] !== drawn[2 * k + 1]) untrue++;
    }
    const axis = ours.getModel().getComponent("xAxis", 0).axis;
    const [left, right] = axis.getGlobalExtent();
    const [from, to] = axis.scale.getExtent();
    let inWindow = 0;
    for (let k = 0; k < count; k++) if (drawn[2 * k] >= from && drawn[2 * k] <= to) inWindow++;
    return {
      pixels: a.pixels.length / 4,
      visible,
      any,
      count,
      inWindow,
      untrue,
      plotWidth: Math.abs(right - left),
      typed: drawn instanceof Float64Array,
      image: a.copy.toDataURL("image/png"),
      peer: b.copy.toDataURL("image/png"),
      diff: diffCanvas.toDataURL("image/png"),
    };
  }, name);

  const share = (r) => `${(100 * r.visible / r.pixels).toFixed(3)}% visibly, `
    + `${(100 * r.any / r.pixels).toFixed(3)}% at all`;
  const check = async (label) => {
    const r = await compare("ours");
    savePng(`decimation-${label}-ours`, r.image);
    savePng(`decimation-${label}-peer`, r.peer);
    savePng(`decimation-${label}-diff`, r.diff);
    console.log(`${label}: ${r.count} points drawn (${r.inWindow} in view) for a ${r.plotWidth} px plot; `
      + `pixels differing from plain ECharts with all ${POINTS} points: ${share(r)}`);
    assert.ok(r.typed, "the drawn points are one Float64Array");
    assert.equal(r.untrue, 0, "every drawn point is a true point of the series");
    // At most 4 points per pixel column in view (columns a fractional plot width touches,
    // +2) and, outside it, the series' first/last/lowest/highest point and one neighbour each side.
    const columns = Math.ceil(r.plotWidth) + 2;
    assert.ok(r.inWindow <= 4 * columns, `${r.inWindow} points in view for ${columns} columns`);
    assert.ok(r.count <= 4 * columns + 6, `${r.count} points drawn for ${columns} columns`);
    assert.ok(r.inWindow > columns, `${label}: a noisy walk keeps more than one point per column`);
    assert.ok(r.visible / r.pixels <= MAX_DIFFERENT, `${label}: ${share(r)} of pixels differ`);
    return r;
  };

  await check("full");
  // The control: ECharts' LTTB sampling is a visible change by the same measure.
  const control = await compare("lttb");
  savePng("decimation-lttb-diff", control.diff);
  console.log(`control (LTTB sampling): ${share(control)}`);
  assert.ok(control.visible / control.pixels > MAX_DIFFERENT, `LTTB differs by ${share(control)}`);

  // Zoom the charts into 2% of the series (10,000 points, ~10 per pixel column): ours picks
  // the window's points from the full series kept in wasm memory.
  await page.evaluate(() => {
    for (const chart of [window.__charts.ours, window.__charts.peer]) {
      chart.setOption({ dataZoom: [{ type: "inside", xAxisIndex: 0 }] });
      chart.dispatchAction({ type: "dataZoom", start: 40, end: 42 });
    }
  });
  const zoomed = await check("zoomed");

  // A new size picks for the new pixel columns.
  const resized = await page.evaluate(async () => {
    const { ours } = window.__charts;
    document.getElementById("ours").style.width = "500px";
    await new Promise((r) => setTimeout(r, 300));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const [left, right] = ours.getModel().getComponent("xAxis", 0).axis.getGlobalExtent();
    return { count: ours.getOption().series[0].data.length / 2, plotWidth: Math.abs(right - left) };
  });
  console.log(`resized: ${resized.count} points drawn for a ${resized.plotWidth} px plot`);
  assert.ok(resized.plotWidth < zoomed.plotWidth / 1.5, `plot ${resized.plotWidth} px after resize`);
  assert.ok(resized.count <= 4 * (Math.ceil(resized.plotWidth) + 2) + 6,
    `${resized.count} points for a ${resized.plotWidth} px plot after resize`);

  await page.locator("#ours").screenshot({ path: join(ARTIFACTS, "decimation-resized.png") });
  assert.deepEqual(page.errors, []);
  // A zoom schedules a re-pick for after ECharts' event; destroying the chart in the same
  // tick must leave that re-pick nothing to do (no call into freed memory, no error).
  await page.evaluate(async () => {
    window.__charts.ours.dispatchAction({ type: "dataZoom", start: 10, end: 12 });
    window.__mount.destroy();
    window.__charts.peer.dispose();
    window.__charts.lttb.dispose();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("streamed 3×100k windows reach ECharts decimated, newest point included", async () => {
  const page = await newPage(browser, { width: 1400, height: 1000 });
  await page.goto(`${BASE}/bench/chart-ours.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60000 });
  const r = await page.evaluate(async () => {
    const { BenchStream } = await import("/pkg/vantage_embed.js");
    const el = document.getElementById("chart");
    // The bench's streaming chart: SlidingWindow + EChartsHandle::push_window.
    const stream = new BenchStream(el, 3, 100_000);
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    for (let i = 0; i < 5; i++) {
      await frame();
      stream.append(1_000);
    }
    await frame();
    await frame();
    const chart = echarts.getInstanceByDom(el);
    const axis = chart.getModel().getComponent("xAxis", 0).axis;
    const [left, right] = axis.getGlobalExtent();
    const series = chart.getOption().series.map((s) => ({
      count: s.data.length / 2,
      typed: s.data instanceof Float64Array,
      lastX: s.data[s.data.length - 2],
    }));
    const held = stream.held;
    stream.destroy();
    return { series, held, plotWidth: Math.abs(right - left) };
  });
  console.log(`streamed: ${r.series.map((s) => s.count).join(", ")} of ${r.held} points per series drawn `
    + `for a ${r.plotWidth} px plot`);
  assert.equal(r.held, 100_000, "every window is full");
  const columns = Math.ceil(r.plotWidth) + 2;
  const newest = Math.max(...r.series.map((s) => s.lastX));
  for (const s of r.series) {
    assert.ok(s.typed, "one Float64Array per series");
    assert.ok(s.count > columns && s.count <= 4 * columns + 6, `${s.count} points for ${columns} columns`);
    assert.equal(s.lastX, newest, "the newest point is drawn");
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
