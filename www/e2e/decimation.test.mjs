// Decimation that cannot be seen (issue 18): a large line drawn by our widget reaches ECharts
// reduced to at most four points per pixel column (M4, crates/widgets/src/charts/m4.rs), and the
// picture is the one ECharts draws when fed every point. The same noisy random walk is drawn
// twice at the same size, once by <LineChart> (the SDK's bench entry point, the widgets code a
// dashboard runs) and once by plain ECharts given all points and our chart's own option
// otherwise; the canvases are compared pixel by pixel, unzoomed and zoomed in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, BASE, launch, newPage } from "./harness.mjs";

const POINTS = 500_000;
/** At most this share of pixels may differ (anti-aliasing where line segments join). */
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
    const oursStage = stage("ours");
    window.__mount = benchMountLine(oursStage, new BenchData(points));
    let el = null;
    for (let i = 0; i < 600 && !(el && echarts.getInstanceByDom(el)); i++) {
      await new Promise((r) => setTimeout(r, 50));
      el = oursStage.querySelector(".vt-echart");
    }
    const ours = echarts.getInstanceByDom(el);
    if (!ours) throw new Error("our chart did not start");

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

    // Plain ECharts: our chart's option with every point, animation off, same size.
    const rect = el.getBoundingClientRect();
    const peerStage = stage("peer");
    const peerEl = document.createElement("div");
    peerEl.style.cssText = `width: ${rect.width}px; height: ${rect.height}px`;
    peerStage.append(peerEl);
    const option = ours.getOption();
    option.animation = false;
    option.series[0].data = full;
    const peer = echarts.init(peerEl, null, { renderer: "canvas" });
    peer.setOption(option);
    window.__charts = { ours, peer, full, start };

    const settled = (chart) => new Promise((resolve) => {
      chart.on("finished", resolve);
      setTimeout(resolve, 3000);
    });
    await Promise.all([settled(ours), settled(peer)]);
    return { width: rect.width, height: rect.height, dpr: devicePixelRatio };
  }, POINTS);
  assert.equal(setup.dpr, 1);

  /** Pixel comparison of the two canvases, what ours draws, and a diff image. */
  const compare = () => page.evaluate(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const { ours, peer, full, start } = window.__charts;
    const snapshot = (chart) => {
      const canvas = chart.getDom().querySelector("canvas");
      const copy = document.createElement("canvas");
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, copy.width, copy.height);
      ctx.drawImage(canvas, 0, 0);
      return { copy, ctx, pixels: ctx.getImageData(0, 0, copy.width, copy.height) };
    };
    const a = snapshot(ours);
    const b = snapshot(peer);
    if (a.copy.width !== b.copy.width || a.copy.height !== b.copy.height) {
      throw new Error(`sizes differ: ${a.copy.width}×${a.copy.height} vs ${b.copy.width}×${b.copy.height}`);
    }
    const diff = a.ctx.createImageData(a.copy.width, a.copy.height);
    let different = 0;
    for (let i = 0; i < a.pixels.data.length; i += 4) {
      const delta = Math.max(
        Math.abs(a.pixels.data[i] - b.pixels.data[i]),
        Math.abs(a.pixels.data[i + 1] - b.pixels.data[i + 1]),
        Math.abs(a.pixels.data[i + 2] - b.pixels.data[i + 2]));
      const grey = 255 - Math.round(0.2 * (255 - b.pixels.data[i + 1]));
      if (delta > 0) different++;
      diff.data.set(delta > 0 ? [255, 0, 0, 255] : [grey, grey, grey, 255], i);
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
      pixels: a.pixels.data.length / 4,
      different,
      count,
      inWindow,
      untrue,
      plotWidth: Math.abs(right - left),
      typed: drawn instanceof Float64Array,
      ours: a.copy.toDataURL("image/png"),
      peer: b.copy.toDataURL("image/png"),
      diff: diffCanvas.toDataURL("image/png"),
    };
  });

  const check = (label, r) => {
    for (const side of ["ours", "peer", "diff"]) savePng(`decimation-${label}-${side}`, r[side]);
    const share = r.different / r.pixels;
    console.log(`${label}: ${r.count} points drawn (${r.inWindow} in view) for a ${r.plotWidth} px plot; `
      + `${r.different} of ${r.pixels} pixels differ (${(100 * share).toFixed(3)}%)`);
    assert.ok(r.typed, "the drawn points are one Float64Array");
    assert.equal(r.untrue, 0, "every drawn point is a true point of the series");
    // At most 4 points per pixel column in view (columns a fractional plot width touches,
    // +2) and, outside it, the series' first/last/lowest/highest point and one neighbour each side.
    const columns = Math.ceil(r.plotWidth) + 2;
    assert.ok(r.inWindow <= 4 * columns, `${r.inWindow} points in view for ${columns} columns`);
    assert.ok(r.count <= 4 * columns + 6, `${r.count} points drawn for ${columns} columns`);
    assert.ok(r.inWindow > columns, `${label}: a noisy walk keeps more than one point per column`);
    assert.ok(share <= MAX_DIFFERENT, `${label}: ${(100 * share).toFixed(3)}% of pixels differ`);
  };

  check("full", await compare());

  // Zoom both charts into 2% of the series (10,000 points, ~10 per pixel column): ours picks
  // the window's points from the full series kept in wasm memory.
  await page.evaluate(async () => {
    const { ours, peer } = window.__charts;
    for (const chart of [ours, peer]) {
      chart.setOption({ dataZoom: [{ type: "inside", xAxisIndex: 0 }] });
      chart.dispatchAction({ type: "dataZoom", start: 40, end: 42 });
    }
  });
  const zoomed = await compare();
  check("zoomed", zoomed);

  // A new size picks for the new pixel columns.
  const resized = await page.evaluate(async () => {
    const { ours } = window.__charts;
    document.getElementById("ours").style.width = "500px";
    await new Promise((r) => setTimeout(r, 300));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const [left, right] = ours.getModel().getComponent("xAxis", 0).axis.getGlobalExtent();
    return { count: ours.getOption().series[0].data.length / 2, plotWidth: Math.abs(right - left) };
  });
  assert.ok(resized.plotWidth < zoomed.plotWidth / 1.5, `plot ${resized.plotWidth} px after resize`);
  assert.ok(resized.count <= 4 * (Math.ceil(resized.plotWidth) + 2) + 6,
    `${resized.count} points for a ${resized.plotWidth} px plot after resize`);

  await page.locator("#ours").screenshot({ path: join(ARTIFACTS, "decimation-resized.png") });
  assert.deepEqual(page.errors, []);
  await page.evaluate(() => { window.__charts.peer.dispose(); window.__mount.destroy(); });
  await page.context().close();
});
