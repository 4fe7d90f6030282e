// The hand-written peer of our streaming chart: per series a Float64Array window of
// [x0, y0, x1, y1, …] kept in a buffer twice its size (shifted down with copyWithin when full),
// and on every append one setOption carrying only each series' data as a fresh typed array.
import { drive, soak, heap, walk, nextPaint } from '/bench/stream-driver.js';

const SERIES = 3;
const WINDOW = 100_000;
const START = Date.UTC(2026, 0, 1);

class PlainStream {
  constructor(el, series, capacity) {
    this.chart = echarts.init(el, null, { renderer: 'canvas' });
    this.capacity = capacity;
    this.windows = Array.from({ length: series }, (_, i) => ({
      buf: new Float64Array(4 * capacity),
      head: 0,
      count: 0,
      next: walk(2463534242 + 7919 * i, 500),
    }));
    this.x = START;
    this.chart.setOption({
      animation: false,
      aria: { enabled: true },
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 16, right: 16, top: 36, bottom: 12, containLabel: true },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: true },
      series: this.windows.map((_, i) => ({
        type: 'line', name: `series ${i + 1}`, showSymbol: false, sampling: 'lttb', data: [],
      })),
    });
    this.append(capacity);
  }

  append(n) {
    const keep = Math.min(n, this.capacity);
    for (const w of this.windows) {
      // Values that would be dropped at once are still drawn from the walk, as ours does.
      for (let i = 0; i < n - keep; i++) w.next();
      if (w.head + 2 * (w.count + keep) > w.buf.length) {
        w.buf.copyWithin(0, w.head, w.head + 2 * w.count);
        w.head = 0;
      }
      let at = w.head + 2 * w.count;
      for (let i = n - keep; i < n; i++) {
        w.buf[at++] = this.x + i;
        w.buf[at++] = w.next();
      }
      w.count += keep;
      if (w.count > this.capacity) {
        w.head += 2 * (w.count - this.capacity);
        w.count = this.capacity;
      }
    }
    this.x += n;
    this.chart.setOption(
      { series: this.windows.map((w) => ({ data: w.buf.slice(w.head, w.head + 2 * w.count) })) },
      { lazyUpdate: true, silent: true },
    );
  }

  get held() { return this.windows[0].count; }

  destroy() { this.chart.dispose(); }
}

function freshStage() {
  const old = document.getElementById('chart');
  const el = document.createElement('div');
  el.id = 'chart';
  old.replaceWith(el);
  return el;
}

let stream = null;

window.bench = {
  async stream(seconds, rate) {
    if (!stream) {
      stream = new PlainStream(freshStage(), SERIES, WINDOW);
      await nextPaint();
    }
    return drive(stream, { seconds, rate, series: SERIES });
  },
  async soak(steps, perStep, warmup) {
    stream?.destroy();
    stream = null;
    const s = new PlainStream(freshStage(), SERIES, WINDOW);
    const memory = () => ({ heap: heap(), wasm: null });
    const r = await soak(s, { steps, perStep, series: SERIES, warmup, memory });
    r.held = s.held;
    s.destroy();
    return r;
  },
};
window.benchReady = true;
