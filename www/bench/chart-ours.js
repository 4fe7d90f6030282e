// Our side of the chart benchmarks (see chart-ours.html): everything goes through the SDK's
// wasm bench entry points (crates/sdk/src/bench.rs), i.e. the real widgets code.
import init, { BenchData, BenchStream, benchMountLine, benchHandoff } from '/pkg/vantage_embed.js';
import { drive, soak, heap, nextPaint } from '/bench/stream-driver.js';

const wasm = await init();
const SERIES = 3;
const WINDOW = 100_000;

const cache = new Map();
function data(points) {
  if (!cache.has(points)) {
    cache.clear();
    cache.set(points, new BenchData(points));
  }
  return cache.get(points);
}

function freshStage() {
  const old = document.getElementById('chart');
  const el = document.createElement('div');
  el.id = 'chart';
  old.replaceWith(el);
  return el;
}

let stream = null;
let floor = null;
let floorOption = null;

// The streaming floor: plain ECharts redrawing exactly what our streaming chart hands it —
// the decimated windows of `frames` consecutive appends of a 3 × 100k stream, recorded from
// a BenchStream and then replayed one per append (cycling) into a chart with the same
// option, with the same merge-mode update. What is left of ours' frame time above this is
// our own work (appending to the windows, the M4 pick, the handoff).
async function recordFloor(rate, frames) {
  const recorded = [];
  const init = echarts.init;
  let chart = null;
  echarts.init = function (...args) {
    chart = init.apply(this, args);
    const setOption = chart.setOption;
    chart.setOption = function (option, opts) {
      const series = option?.series;
      if (!option.xAxis && series?.every((s) => s.data instanceof Float64Array)) {
        recorded.push(series.map((s) => s.data.slice()));
      }
      return setOption.call(this, option, opts);
    };
    return chart;
  };
  let source;
  try {
    source = new BenchStream(freshStage(), SERIES, WINDOW);
  } finally {
    echarts.init = init;
  }
  await nextPaint();
  recorded.length = 0;
  const perAppend = Math.max(1, Math.round(rate / SERIES / 60));
  for (let i = 0; i < frames; i++) source.append(perAppend);
  const option = chart.getOption();
  source.destroy();
  option.series.forEach((s, k) => { s.data = recorded[0][k]; });
  const plain = echarts.init(freshStage(), null, { renderer: 'canvas' });
  plain.setOption(option);
  let next = 0;
  return {
    append() {
      const data = recorded[next];
      next = (next + 1) % recorded.length;
      plain.setOption({ series: data.map((d, k) => ({ id: option.series[k].id, data: d })) },
        { lazyUpdate: true, silent: true });
    },
    pointsPerSeries: recorded[0][0].length / 2,
  };
}

window.bench = {
  // Time from mounting <LineChart> on a fresh element to the frame after it painted: option
  // build from the contract result, typed-array handoff, echarts.init, setOption, draw.
  async render(points) {
    const d = new BenchData(points); // consumed by benchMountLine
    const el = freshStage();
    await nextPaint();
    const t0 = performance.now();
    const mount = benchMountLine(el, d);
    // <EChart> creates the instance in an effect (a microtask after mounting).
    const instance = () => {
      const chartEl = el.querySelector('.vt-echart');
      return chartEl && echarts.getInstanceByDom(chartEl);
    };
    for (let i = 0; i < 1000 && !instance(); i++) await Promise.resolve();
    while (!instance()) {
      if (performance.now() - t0 > 30000) throw new Error('no chart after 30 s');
      await new Promise((r) => setTimeout(r, 0));
    }
    await nextPaint();
    const totalMs = performance.now() - t0;
    const canvases = el.querySelectorAll('canvas').length;
    mount.destroy();
    return { totalMs, canvases };
  },
  // The floor under ours: plain ECharts given, in one setOption on a fresh chart, exactly the
  // option ours ends up drawing (the M4-decimated points), timed like `render`. Ours above it
  // is our own work plus ECharts' first layout before the pick.
  async renderFloor(points) {
    if (floorOption?.points !== points) {
      const el = freshStage();
      const mount = benchMountLine(el, new BenchData(points));
      const instance = () => {
        const chartEl = el.querySelector('.vt-echart');
        return chartEl && echarts.getInstanceByDom(chartEl);
      };
      while (!instance()) await new Promise((r) => setTimeout(r, 0));
      await nextPaint();
      floorOption = { points, option: instance().getOption() };
      mount.destroy();
    }
    const el = freshStage();
    await nextPaint();
    const t0 = performance.now();
    const chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption(floorOption.option);
    await nextPaint();
    const totalMs = performance.now() - t0;
    const drawn = floorOption.option.series[0].data.length / 2;
    chart.dispose();
    return { totalMs, drawn };
  },
  // The handoff alone, timed inside wasm, and ECharts' own setOption on the full option.
  async handoff(points) {
    const r = benchHandoff(data(points));
    const el = freshStage();
    await nextPaint();
    const chart = echarts.init(el, null, { renderer: 'canvas' });
    const t0 = performance.now();
    chart.setOption(r.option);
    const setOptionMs = performance.now() - t0;
    chart.dispose();
    return { oursMs: r.oursMs, buildMs: r.buildMs, fullMs: r.fullMs, copyMs: r.copyMs, jsonMs: r.jsonMs, jsonBytes: r.jsonBytes, setOptionMs };
  },
  // One streaming segment; the chart persists across segments (windows stay full).
  async stream(seconds, rate) {
    if (!stream) {
      stream = new BenchStream(freshStage(), SERIES, WINDOW);
      await nextPaint();
    }
    return drive(stream, { seconds, rate, series: SERIES });
  },
  // One segment of the streaming floor (see recordFloor), the chart kept across segments.
  async streamFloor(seconds, rate) {
    if (!floor) {
      floor = await recordFloor(rate, 120);
      await nextPaint();
    }
    const r = await drive(floor, { seconds, rate, series: SERIES });
    return { ...r, drawnPerSeries: floor.pointsPerSeries };
  },
  async soak(steps, perStep, warmup) {
    stream?.destroy();
    stream = null;
    const s = new BenchStream(freshStage(), SERIES, WINDOW);
    const memory = () => ({ heap: heap(), wasm: wasm.memory.buffer.byteLength });
    const r = await soak(s, { steps, perStep, series: SERIES, warmup, memory });
    r.held = s.held;
    s.destroy();
    return r;
  },
};
window.benchReady = true;
