// Peer for the dashboard cold load (see dashboard-plain.html): fetch the definition and the data,
// then draw every widget with a hand-written ECharts option of the same kind (KPIs, the alert
// list and tables as plain DOM). Same measurements as dashboard-ours.js.

import { probeECharts, paintAfter } from '/bench/stream-driver.js';

const probe = probeECharts(window.echarts);
const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('token');
const dashboardId = params.get('dashboard') ?? 'healthco-ai-quality';

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

async function api(path, body) {
  const resp = await fetch(`/api/v1${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!resp.ok) throw new Error(`${path}: ${resp.status}`);
  return resp.json();
}

const col = (r, name) => r.data[r.columns.findIndex((c) => c.name === name)] ?? [];
const measureName = (r) => r.columns[r.columns.length - 1].name;

// [x, series, y] rows → { series: Map(name → [[x, y]…]) }
function bySeries(r, x, s, y) {
  const xs = col(r, x), ss = s ? col(r, s) : [], ys = col(r, y);
  const out = new Map();
  xs.forEach((v, i) => {
    const key = s ? ss[i] : y;
    if (!out.has(key)) out.set(key, []);
    out.get(key).push([v, ys[i]]);
  });
  return out;
}

function chartOption(w, r) {
  const o = w.options ?? {};
  const base = { animation: false, tooltip: { trigger: w.kind === 'pie' ? 'item' : 'axis' } };
  switch (w.kind) {
    case 'line': case 'area': {
      const series = [...bySeries(r, r.columns[0].name, o.series, measureName(r))].map(([name, data]) => ({
        type: 'line', name, data, showSymbol: false, areaStyle: w.kind === 'area' ? {} : undefined,
      }));
      return { ...base, legend: {}, grid: { left: 40, right: 12, top: 28, bottom: 24 },
        xAxis: { type: r.columns[0].type === 'timestamp' ? 'time' : 'category' }, yAxis: { type: 'value' }, series };
    }
    case 'bar': {
      const cats = col(r, r.columns[0].name), vals = col(r, measureName(r));
      const cat = { type: 'category', data: cats }, val = { type: 'value' };
      return { ...base, grid: { left: 90, right: 12, top: 8, bottom: 24 },
        xAxis: o.horizontal ? val : cat, yAxis: o.horizontal ? cat : val, series: [{ type: 'bar', data: vals }] };
    }
    case 'pie': {
      const names = col(r, r.columns[0].name), vals = col(r, measureName(r));
      return { ...base, series: [{ type: 'pie', radius: o.donut ? ['45%', '70%'] : '70%',
        data: names.map((name, i) => ({ name, value: vals[i] })) }] };
    }
    case 'gauge':
      return { ...base, series: [{ type: 'gauge', min: o.min ?? 0, max: o.max ?? 100,
        data: [{ value: r.data[0]?.[0] ?? 0 }] }] };
    case 'scatter':
      return { ...base, xAxis: {}, yAxis: {}, series: [{ type: 'scatter', data: bySeries(r, r.columns[0].name, null, measureName(r)).values().next().value ?? [] }] };
    case 'heatmap': {
      const xs = col(r, r.columns[0].name), ys = col(r, r.columns[1].name), vs = col(r, measureName(r));
      const xCats = [...new Set(xs)].sort((a, b) => a - b), yCats = [...new Set(ys)];
      const data = xs.map((x, i) => [xCats.indexOf(x), yCats.indexOf(ys[i]), vs[i]]);
      return { ...base, tooltip: {}, grid: { left: 90, right: 12, top: 8, bottom: 48 },
        xAxis: { type: 'category', data: xCats.map((t) => new Date(t).toISOString().slice(11, 16)) },
        yAxis: { type: 'category', data: yCats },
        visualMap: { min: 0, max: Math.max(1, ...vs), orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 80 },
        series: [{ type: 'heatmap', data }] };
    }
    default: return null;
  }
}

function domBody(w, r, body) {
  if (w.kind === 'kpi') {
    const v = r.data[0]?.[0];
    body.innerHTML = '';
    const el = document.createElement('div');
    el.className = 'kpi';
    el.textContent = typeof v === 'number' ? v.toLocaleString() : String(v ?? '—');
    body.append(el);
    return;
  }
  const ul = document.createElement('ul');
  const label = col(r, 'title').length ? col(r, 'title') : r.data[0] ?? [];
  for (const t of label.slice(0, 50)) {
    const li = document.createElement('li');
    li.textContent = String(t);
    ul.append(li);
  }
  body.append(ul);
}

function card(w) {
  const el = document.createElement('section');
  el.className = 'plain-card';
  const p = w.position;
  el.style.gridColumn = `${p.x + 1} / span ${p.w}`;
  el.style.gridRow = `${p.y + 1} / span ${p.h}`;
  const h = document.createElement('h3');
  h.textContent = w.title;
  const body = document.createElement('div');
  body.className = 'body';
  el.append(h, body);
  return { el, body };
}

const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
const charts = [];

// Fetches the definition and data, draws every widget, waits for the paint (ours: `rendered`).
async function mountOnce() {
  const [def, data] = await Promise.all([
    api(`/dashboards/${dashboardId}`),
    api(`/dashboards/${dashboardId}/data`, {}),
  ]);
  const root = document.getElementById('dash');
  for (const w of def.widgets) {
    const { el, body } = card(w);
    root.append(el);
    const r = data.widgets[w.id];
    if (!r || r.error) { body.textContent = r?.error?.message ?? 'no data'; continue; }
    const option = chartOption(w, r);
    if (option) {
      const chart = echarts.init(body);
      chart.setOption(option);
      charts.push(chart);
    } else {
      domBody(w, r, body);
    }
  }
  await frame();
  await frame();
}

function unmount() {
  charts.splice(0).forEach((c) => c.dispose());
  document.getElementById('dash').replaceChildren();
}

const heap = () => { window.gc?.(); window.gc?.(); return performance.memory?.usedJSHeapSize ?? null; };

window.bench = {
  async coldLoad() {
    await mountOnce();
    const renderedMs = performance.now();
    await new Promise((r) => setTimeout(r, 500));
    const result = { renderedMs, canvases: document.querySelectorAll('#dash canvas').length, ...vitals };
    unmount();
    return result;
  },
  // The same cycles as ours (dashboard-ours.js): ECharts' own share of the JS heap growth.
  // No live connection (the plain page has none).
  async cycles(n) {
    for (let i = 0; i < 5; i++) { await mountOnce(); unmount(); } // warm-up
    await new Promise((r) => setTimeout(r, 200));
    const before = { heap: heap(), wasm: null };
    for (let i = 0; i < n; i++) { await mountOnce(); unmount(); }
    await new Promise((r) => setTimeout(r, 200));
    const after = { heap: heap(), wasm: null };
    return { n, before, after, leftover: document.querySelectorAll('#dash *').length };
  },
  // Same as ours: filter change → the data request with the filter → every chart's setOption
  // with the new data (DOM widgets redrawn) → the paint after the last one.
  async crossFilter(intent) {
    const root = document.getElementById('dash');
    if (!this.mounted) {
      const def = await api(`/dashboards/${dashboardId}`);
      this.mounted = def.widgets.map((w) => {
        const { el, body } = card(w);
        root.append(el);
        return { w, body, chart: null };
      });
      await this.apply({});
      await new Promise((r) => setTimeout(r, 300));
    }
    const t0 = performance.now();
    await this.apply({ filters: [{ field: 'intent', op: 'eq', value: intent }] });
    const painted = await paintAfter(probe, t0);
    return { ms: painted - t0, canvases: document.querySelectorAll('#dash canvas').length };
  },
  async apply(request) {
    const data = await api(`/dashboards/${dashboardId}/data`, request);
    for (const m of this.mounted) {
      const r = data.widgets[m.w.id];
      if (!r || r.error) { m.body.textContent = r?.error?.message ?? 'no data'; continue; }
      const option = chartOption(m.w, r);
      if (option) {
        m.chart ??= echarts.init(m.body);
        m.chart.setOption(option, true);
      } else {
        m.body.replaceChildren();
        domBody(m.w, r, m.body);
      }
    }
  },
};
window.benchReady = true;
