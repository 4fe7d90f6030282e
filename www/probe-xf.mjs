import { chromium } from 'playwright-core';
const base = process.argv[2];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const auth = await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'analyst@healthco.test', password: 'vantage-demo' }) })).json();
const hash = `#token=${auth.accessToken}&dashboard=healthco-ai-quality`;
const pages = {};
for (const [name, file] of [['ours', 'dashboard-ours.html'], ['peer', 'dashboard-plain.html']]) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(`${base}/bench/${file}${hash}`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60000 });
  await page.evaluate(() => {
    window.__sets = [];
    const init = window.echarts.init;
    window.echarts.init = function (...a) {
      const c = init.apply(this, a);
      const so = c.setOption;
      c.setOption = function (...r) { const s = performance.now(); const o = so.apply(this, r); window.__sets.push([Math.round(s * 10) / 10, Math.round((performance.now() - s) * 10) / 10]); return o; };
      return c;
    };
  });
  pages[name] = page;
}
const intents = ['billing', 'claims', 'eligibility', 'appointments', 'policy_lookup', 'general'];
for (const p of Object.values(pages)) await p.evaluate((v) => window.bench.crossFilter(v), 'billing');
const rows = { ours: [], peer: [] };
for (let i = 0; i < 12; i++) {
  for (const name of i % 2 ? ['ours', 'peer'] : ['peer', 'ours']) {
    const page = pages[name];
    const r = await page.evaluate(async (v) => {
      window.__sets = [];
      performance.clearResourceTimings();
      const t0 = performance.now();
      const res = await window.bench.crossFilter(v);
      const req = performance.getEntriesByType('resource').filter((e) => e.name.includes('/data'));
      const rel = (x) => Math.round((x - t0) * 10) / 10;
      return { ms: res.ms, req: req.map((e) => [rel(e.startTime), rel(e.responseStart), rel(e.responseEnd)]),
        sets: window.__sets.map(([s, d]) => [rel(s), d]) };
    }, intents[(i + 1) % intents.length]);
    rows[name].push(r);
  }
}
for (const [name, rs] of Object.entries(rows)) {
  console.log(name);
  for (const r of rs) console.log(Math.round(r.ms), 'req', JSON.stringify(r.req), 'sets', JSON.stringify(r.sets));
}
await browser.close();
