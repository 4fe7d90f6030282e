// Our side of the dashboard benchmarks (see dashboard-ours.html). An external module because
// the reference server's Content-Security-Policy forbids inline scripts.
import init, { EmbeddedDashboard } from '/pkg/vantage_embed.js';
import { probeECharts, paintAfter } from '/bench/stream-driver.js';

const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('token');
const dashboardId = params.get('dashboard') ?? 'healthco-ai-quality';

// Web vitals, observed from the start of the page.
const vitals = { lcp: null, cls: 0, tbt: 0, longTasks: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) vitals.lcp = e.startTime;
}).observe({ type: 'largest-contentful-paint', buffered: true });
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) vitals.cls += e.value;
}).observe({ type: 'layout-shift', buffered: true });
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    vitals.longTasks += 1;
    vitals.tbt += Math.max(0, e.duration - 50);
  }
}).observe({ type: 'longtask', buffered: true });

// Cross-filter timing: when the frame after each chart's latest setOption painted.
const probe = probeECharts(window.echarts);

const wasm = await init();

function mountOnce(extra = {}) {
  return new Promise((resolve, reject) => {
    const dash = new EmbeddedDashboard({
      // Light DOM, so the counts below see the embed's canvases and nodes.
      baseUrl: location.origin, dashboardId, token, shadow: false, ...extra,
    });
    const timer = setTimeout(() => reject(new Error('no rendered event within 30 s')), 30000);
    dash.on('rendered', () => { clearTimeout(timer); resolve(dash); });
    dash.on('error', (e) => { clearTimeout(timer); reject(new Error(e?.message ?? String(e))); });
    dash.render('#dash').catch((e) => { clearTimeout(timer); reject(e); });
  });
}

const charts = () => document.querySelectorAll('#dash canvas').length;
const heap = () => { window.gc?.(); window.gc?.(); return performance.memory?.usedJSHeapSize ?? null; };

window.bench = {
  async coldLoad() {
    const dash = await mountOnce();
    const renderedMs = performance.now();
    // Let LCP/CLS settle for a moment after the last chart painted.
    await new Promise((r) => setTimeout(r, 500));
    const result = { renderedMs, canvases: charts(), ...vitals };
    dash.destroy();
    return result;
  },
  async cycles(n) {
    for (let i = 0; i < 5; i++) (await mountOnce()).destroy(); // warm-up
    await new Promise((r) => setTimeout(r, 200));
    const before = { heap: heap(), wasm: wasm.memory.buffer.byteLength };
    for (let i = 0; i < n; i++) (await mountOnce()).destroy();
    await new Promise((r) => setTimeout(r, 200));
    const after = { heap: heap(), wasm: wasm.memory.buffer.byteLength };
    return { n, before, after, leftover: document.querySelectorAll('#dash *').length };
  },
  // Filter change (intent = value) → every chart redrawn with the new data → next paint.
  // Live updates off so nothing else redraws meanwhile.
  async crossFilter(intent) {
    if (!this.dash) {
      this.dash = await mountOnce({ live: 'off' });
      await new Promise((r) => setTimeout(r, 300));
    }
    const t0 = performance.now();
    await this.dash.setFilters([{ field: 'intent', op: 'eq', value: intent }]);
    const painted = await paintAfter(probe, t0);
    return { ms: painted - t0, canvases: charts() };
  },
};
window.benchReady = true;
