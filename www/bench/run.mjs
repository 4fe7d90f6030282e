// Browser benchmarks for `cargo xtask bench` (xtask/src/bench/browser.rs runs this).
//
//   node www/bench/run.mjs [--iterations N] [--points N] [--cycles N] [--base-url URL]
//                          [--only live [--publishes N]]
//
// Serves www/ on a loopback port for the peer pages, drives headless Debian Chromium with
// playwright-core (never a downloaded browser), and prints one JSON object per benchmark on
// stdout, one per line:
//   {"bench":"line-1m","side":"peer","samples":[...ms],"median":…,"p95":…}
// With --base-url (a running reference server with demo data), our side's pages are opened from
// that server (same origin as the API): dashboard cold load and mount/destroy cycles.
// Where both sides exist, they alternate A/B per iteration.
// `--only live` runs just the live-latency benchmark (live-latency.html): server publish →
// our store updated over WebSocket and over SSE, beside a plain-JS WebSocket client.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const www = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const iterations = arg('--iterations', 7);
const points = arg('--points', 1_000_000);
const cycles = arg('--cycles', 100);
const baseIndex = process.argv.indexOf('--base-url');
const baseUrl = baseIndex > 0 ? process.argv[baseIndex + 1] : null;
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 ? process.argv[onlyIndex + 1] : null;
const publishes = arg('--publishes', 300);

const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

function serve() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const file = path.join(www, decodeURIComponent(url.pathname));
    if (!file.startsWith(www + path.sep) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (q) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1];
  return { median: rank(0.5), p95: rank(0.95), p99: rank(0.99) };
}

const launchArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-quic', '--js-flags=--expose-gc', '--enable-precise-memory-info'];

async function line1m(browser, base) {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  await page.goto(`${base}/bench/echarts-direct.html`);
  await page.waitForFunction(() => window.benchReady === true);
  await page.evaluate((n) => window.bench.render(n), points); // warm-up, not counted
  const total = [], setOption = [];
  for (let i = 0; i < iterations; i++) {
    const r = await page.evaluate((n) => window.bench.render(n), points);
    total.push(r.totalMs);
    setOption.push(r.setOptionMs);
  }
  await page.context().close();
  return { bench: 'line-1m', side: 'peer', points, samples: total, ...summary(total),
    setOption: summary(setOption) };
}

async function login(email = 'analyst@healthco.test') {
  const resp = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'vantage-demo' }),
  });
  if (!resp.ok) throw new Error(`login: ${resp.status}`);
  return (await resp.json()).accessToken;
}

async function openPage(browser, token, file) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/bench/${file}#token=${token}&dashboard=healthco-ai-quality`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60000 });
  return page;
}
const oursPage = (browser, token) => openPage(browser, token, 'dashboard-ours.html');

function coldSummary(side, runs) {
  const pick = (k) => runs.map((r) => r[k]).filter((v) => typeof v === 'number');
  const out = { bench: 'dashboard-cold-load', side, samples: pick('renderedMs'),
    ...summary(pick('renderedMs')), canvases: runs[0]?.canvases ?? 0 };
  for (const k of ['lcp', 'cls', 'tbt', 'longTasks']) out[k] = summary(pick(k));
  return out;
}

// Each iteration in a fresh context (no HTTP cache, no compiled wasm, nothing warm), ours and
// the plain-JS peer alternating A/B so drift on a busy machine hits both alike.
async function coldLoad(browser, token) {
  const sides = { ours: ['dashboard-ours.html', []], peer: ['dashboard-plain.html', []] };
  const errors = {};
  for (let i = 0; i < iterations; i++) {
    const order = i % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
    for (const side of order) {
      if (errors[side]) continue;
      try {
        const page = await openPage(browser, token, sides[side][0]);
        sides[side][1].push(await page.evaluate(() => window.bench.coldLoad()));
        await page.context().close();
      } catch (e) {
        errors[side] = String(e?.message ?? e).split('\n')[0];
      }
    }
  }
  return ['ours', 'peer'].map((side) => (errors[side]
    ? { bench: 'dashboard-cold-load', side, error: errors[side] }
    : coldSummary(side, sides[side][1])));
}

async function mountCycles(browser, token) {
  const page = await oursPage(browser, token);
  const r = await page.evaluate((n) => window.bench.cycles(n), cycles);
  await page.context().close();
  const growth = (a, b) => (a && b ? (b - a) / a * 100 : null);
  return { bench: 'mount-cycles', side: 'ours', ...r,
    heapGrowthPct: growth(r.before.heap, r.after.heap),
    wasmGrowthPct: growth(r.before.wasm, r.after.wasm) };
}

// Server publish → update seen, three clients on one page (see live-latency.html). Publishing is
// acknowledging an alert (a manager may), which the server answers and publishes at once.
async function liveLatency(browser) {
  const token = await login('manager@healthco.test');
  const list = await fetch(`${baseUrl}/api/v1/alerts?limit=1`, { headers: { authorization: `Bearer ${token}` } });
  const alert = (await list.json()).items?.[0];
  if (!alert) throw new Error('the demo tenant has no alert to acknowledge');
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/bench/live-latency.html#token=${token}&alert=${alert.id}&dashboard=healthco-ai-quality`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60000 });
  const samples = await page.evaluate((n) => window.bench.live(n), publishes);
  await context.close();
  return Object.entries(samples).map(([side, values]) => ({
    bench: 'live-latency', side, n: values.length, ...summary(values),
  }));
}

async function main() {
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: launchArgs });
  const emit = (o) => console.log(JSON.stringify({ ...o, browser: browser.version() }));
  const attempt = async (name, side, f) => {
    try {
      const r = await f();
      for (const one of Array.isArray(r) ? r : [r]) emit(one);
    } catch (e) {
      emit({ bench: name, side, error: String(e?.message ?? e).split('\n')[0] });
    }
  };
  try {
    if (only === 'live') {
      if (!baseUrl) throw new Error('--only live needs --base-url');
      await attempt('live-latency', 'all', () => liveLatency(browser));
      return;
    }
    await attempt('line-1m', 'peer', () => line1m(browser, base));
    if (baseUrl) {
      const token = await login();
      await attempt('dashboard-cold-load', 'ours', () => coldLoad(browser, token));
      await attempt('mount-cycles', 'ours', () => mountCycles(browser, token));
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
