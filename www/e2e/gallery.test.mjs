// The widget gallery (www/gallery.html): every widget in light and dark, under the strict CSP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, drawCharts, launch, newPage, screenshot } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the gallery shows every widget in light and dark mode", async () => {
  const page = await newPage(browser, { width: 1400, height: 1000 });
  await page.goto(`${BASE}/gallery.html`);
  await page.waitForFunction(() => document.querySelectorAll("#gallery-light canvas").length > 3, null, { timeout: 60000 });
  // The dark gallery is below the fold: its charts are drawn as they come near the view.
  const undrawnBelow = await page.evaluate(() => [...document.querySelectorAll("#gallery-dark .vt-echart")]
    .filter((el) => !el.querySelector("canvas") && el.getBoundingClientRect().top > 2 * innerHeight).length);
  assert.ok(undrawnBelow > 0, "charts far below the fold wait until they come near the view");
  await drawCharts(page);
  assert.ok(await page.evaluate(() => document.querySelectorAll("#gallery-dark canvas").length > 3));
  const status = await page.locator("#gallery-status").textContent();
  assert.ok(!status.includes("could not start"), status);
  const kinds = await page.evaluate(() => document.querySelectorAll("#gallery-light .vt-card").length);
  assert.ok(kinds >= 8, `expected the widget catalogue, found ${kinds} widgets`);
  await screenshot(page, "gallery");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// Readable at every size: at three widths, value-axis ticks that differ read differently (the
// labels follow the axis interval's precision), legends scroll instead of clipping, and pie
// labels sit inside their slices.
for (const width of [1400, 900, 420]) {
  test(`the gallery stays readable at ${width} px`, async () => {
    const page = await newPage(browser, { width, height: 1000 });
    await page.goto(`${BASE}/gallery.html`);
    await page.waitForFunction(() => document.querySelectorAll("#gallery-light canvas").length > 0, null, { timeout: 60000 });
    await drawCharts(page);
    await page.waitForTimeout(500);
    const report = await page.evaluate(() => {
      const out = { axes: 0, duplicates: [], legends: [], pies: [] };
      for (const el of document.querySelectorAll("#gallery-light .vt-echart")) {
        const chart = echarts.getInstanceByDom(el);
        if (!chart) continue;
        const model = chart.getModel();
        for (const type of ["xAxis", "yAxis"]) {
          const axes = [];
          model.eachComponent(type, (c) => axes.push(c));
          for (const axisModel of axes) {
            if (axisModel.get("type") !== "value") continue;
            out.axes += 1;
            const labels = axisModel.axis.getViewLabels().map((l) => l.formattedLabel);
            const seen = new Set();
            for (const l of labels) {
              if (seen.has(l)) out.duplicates.push(`${el.closest(".vt-card")?.querySelector(".vt-card-title")?.textContent}: ${labels.join(" | ")}`);
              seen.add(l);
            }
          }
        }
        model.eachComponent("legend", (legend) => out.legends.push(legend.get("type")));
        for (const series of model.getSeries()) {
          if (series.subType === "pie") out.pies.push(series.get(["label", "position"]));
        }
      }
      return out;
    });
    assert.ok(report.axes >= 3, `value axes checked: ${report.axes}`);
    assert.deepEqual(report.duplicates, [], "repeated tick labels on a value axis");
    assert.ok(report.legends.length > 0 && report.legends.every((t) => t === "scroll"), `legend types: ${report.legends}`);
    assert.ok(report.pies.length > 0 && report.pies.every((p) => p === "inside"), `pie label positions: ${report.pies}`);
    await screenshot(page, `gallery-${width}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
