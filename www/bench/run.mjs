// Browser benchmarks for `cargo xtask bench` (xtask/src/bench/browser.rs runs this).
//
//   node www/bench/run.mjs [--iterations N] [--points N]
//
// Serves www/ on a loopback port, drives headless Debian Chromium with playwright-core (never a
// downloaded browser), and prints one JSON object per benchmark on stdout, one per line:
//   {"bench":"line-1m","side":"peer","samples":[...ms],"median":…,"p95":…}
// Sides alternate A/B per iteration once our side exists; today only the peer page is wired.

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
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
  return { median: rank(0.5), p95: rank(0.95) };
}

async function main() {
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vantage-bench-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 720 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  try {
    const page = await context.newPage();
    await page.goto(`${base}/bench/echarts-direct.html`);
    await page.waitForFunction(() => window.benchReady === true);
    await page.evaluate((n) => window.bench.render(n), points); // warm-up, not counted
    const total = [], setOption = [];
    for (let i = 0; i < iterations; i++) {
      const r = await page.evaluate((n) => window.bench.render(n), points);
      total.push(r.totalMs);
      setOption.push(r.setOptionMs);
    }
    console.log(JSON.stringify({ bench: 'line-1m', side: 'peer', points, samples: total, ...summary(total),
      setOption: summary(setOption), browser: context.browser()?.version() ?? null }));
  } finally {
    await context.close();
    server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
