// Shared by chart-ours.js (our SDK's streaming chart) and stream-plain.js (the hand-written
// peer): drives a streaming chart at a fixed point rate on animation frames and measures frame
// times and long tasks; and the accelerated soak. A "stream" is any object with
// append(perSeries), which appends that many new points to every series and updates the chart.

export const nextPaint = () => new Promise((resolve) =>
  requestAnimationFrame(() => setTimeout(resolve, 0)));

/** Streams `rate` points/s in total across `series` series for `seconds`, appending on every
 * animation frame the points due by then (so the rate holds even when frames are slow). */
export async function drive(stream, { seconds, rate, series }) {
  const long = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) long.push(e.duration);
  });
  observer.observe({ type: 'longtask' });
  const frames = [];
  let sent = 0;
  let t0 = 0;
  let last = 0;
  await new Promise((resolve, reject) => {
    const tick = (now) => {
      try {
        frames.push(now - last);
        last = now;
        const elapsed = (now - t0) / 1000;
        const due = Math.floor((elapsed * rate) / series) - sent;
        if (due > 0) {
          stream.append(due);
          sent += due;
        }
        if (elapsed < seconds) requestAnimationFrame(tick);
        else resolve();
      } catch (e) {
        reject(e);
      }
    };
    requestAnimationFrame((now) => {
      t0 = now;
      last = now;
      requestAnimationFrame(tick);
    });
  });
  await nextPaint();
  for (const e of observer.takeRecords()) long.push(e.duration);
  observer.disconnect();
  return {
    frames,
    seconds: (last - t0) / 1000,
    points: sent * series,
    longTasks: long.filter((d) => d > 50).length,
    longestTask: long.length ? Math.max(...long) : 0,
  };
}

/** Accelerated soak: `steps` appends of `perStep` points in total (one per painted frame),
 * memory read (after forced GC) after `warmup` steps and at the end. */
export async function soak(stream, { steps, perStep, series, warmup, memory }) {
  const per = Math.floor(perStep / series);
  for (let i = 0; i < warmup; i++) {
    stream.append(per);
    await nextPaint();
  }
  await new Promise((r) => setTimeout(r, 200));
  const before = memory();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    stream.append(per);
    await nextPaint();
  }
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 200));
  const after = memory();
  return { steps, points: steps * per * series, ms, before, after };
}

/** JS heap after two forced collections (Chromium with --js-flags=--expose-gc). */
export function heap() {
  window.gc?.();
  window.gc?.();
  return performance.memory?.usedJSHeapSize ?? null;
}

/** xorshift32 random walk, the same sequence as the SDK's bench module (crates/sdk/src/bench.rs). */
export function walk(seed, start) {
  let s = seed >>> 0;
  let y = start;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    y += (s / 4294967296 - 0.5) * 10;
    return Math.floor(y * 10 + 0.5) / 10;
  };
}

/** Records when the frame after each ECharts `setOption` painted: wraps `echarts.init` so every
 * instance created afterwards reports. Used for cross-filter redraw timing on both sides. */
export function probeECharts(echarts) {
  const state = { lastSet: 0, lastPaint: 0 };
  const init = echarts.init;
  echarts.init = function (...args) {
    const chart = init.apply(this, args);
    const setOption = chart.setOption;
    chart.setOption = function (...rest) {
      const out = setOption.apply(this, rest);
      state.lastSet = performance.now();
      requestAnimationFrame(() => setTimeout(() => {
        state.lastPaint = Math.max(state.lastPaint, performance.now());
      }, 0));
      return out;
    };
    return chart;
  };
  return state;
}

/** Resolves once `probe` saw a setOption after `t0` and the paint after the last one, with
 * no further setOption for `quietMs`. Returns that paint time. */
export async function paintAfter(probe, t0, quietMs = 150, timeoutMs = 20000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    await new Promise((r) => setTimeout(r, 10));
    const now = performance.now();
    if (probe.lastSet > t0 && probe.lastPaint > probe.lastSet && now - probe.lastSet > quietMs) {
      return probe.lastPaint;
    }
    if (now > deadline) throw new Error('no chart redraw after the filter change');
  }
}
