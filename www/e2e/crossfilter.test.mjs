// Cross-filtering (a click filters the other widgets), cancellable clicks in embeds, and live
// updates that keep the chart's state (issue 19 items 1–3), in the app and in an embed, against
// the real reference server with demo data.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, assertAccessible, launch, newPage, login, screenshot } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const DATA = /\/dashboards\/healthco-ai-quality\/data$/;

/** Records the bodies of the healthco-ai-quality data requests made from now on. */
function recordDataRequests(page) {
  const bodies = [];
  page.on("request", (r) => {
    if (DATA.test(r.url())) bodies.push(JSON.parse(r.postData() || "{}"));
  });
  return bodies;
}

/**
 * The page position of the largest bar of the horizontal "by intent" chart under `root`, just
 * inside its base (the part of a bar that stays put when its length changes), and its intent.
 */
async function largestIntentBar(page, root) {
  return page.evaluate((root) => {
    const el = document.querySelector(`${root} [data-widget-id='intents'] .vt-echart`);
    el.scrollIntoView({ block: "center" });
    const chart = echarts.getInstanceByDom(el);
    const option = chart.getOption();
    const categories = option.yAxis[0].data.map((c) => (typeof c === "object" ? c.value : c));
    const values = option.series[0].data.map((v) => (typeof v === "object" ? v.value : v));
    const index = values.indexOf(Math.max(...values));
    const name = categories[index];
    const [x0, y] = chart.convertToPixel({ seriesIndex: 0 }, [0, name]);
    const [x1] = chart.convertToPixel({ seriesIndex: 0 }, [values[index], name]);
    const rect = el.getBoundingClientRect();
    return { name, bars: categories.length, x: rect.left + x0 + Math.min(12, (x1 - x0) / 3), y: rect.top + y };
  }, root);
}

async function barCount(page, root) {
  return page.evaluate((root) => {
    const el = document.querySelector(`${root} [data-widget-id='intents'] .vt-echart`);
    return echarts.getInstanceByDom(el).getOption().yAxis[0].data.length;
  }, root);
}

/** Waits for a data request carrying (or, with `intent` null, lacking) the intents cross-filter. */
async function waitForRequest(page, bodies, intent) {
  const matches = (b) => {
    const cross = b.crossFilters ?? [];
    if (intent === null) return cross.length === 0;
    return cross.some((c) => c.widgetId === "intents" && c.filters?.some((f) => f.field === "intent" && f.value === intent));
  };
  const start = Date.now();
  while (!bodies.some(matches)) {
    if (Date.now() - start > 15000) throw new Error(`no data request with intent=${intent}: ${JSON.stringify(bodies)}`);
    await page.waitForTimeout(100);
  }
}

test("app: a bar click cross-filters the other widgets, shows a chip and the URL; a second click clears it", async () => {
  const page = await newPage(browser);
  await login(page, "analyst@healthco.test");
  await page.waitForSelector("a.dash-card");
  await page.goto(`${BASE}/dashboards/healthco-ai-quality?range=last24h`);
  await page.locator("[data-widget-id='intents'] .vt-echart canvas").waitFor({ state: "attached", timeout: 45000 });
  await page.locator(".live-badge.open").waitFor({ timeout: 15000 });
  await page.waitForTimeout(800);
  const bodies = recordDataRequests(page);
  const bar = await largestIntentBar(page, "body");
  assert.ok(bar.bars > 1, "several intents");
  // One click, no retry: live updates merge into the chart and do not eat it.
  await page.mouse.click(bar.x, bar.y);
  const chip = page.locator(".vt-crossfilters .vt-chip");
  await chip.waitFor({ timeout: 10000 });
  assert.equal((await chip.locator(".vt-chip-text").textContent()).trim(), `intent: ${bar.name}`);
  await waitForRequest(page, bodies, bar.name);
  const request = bodies.find((b) => (b.crossFilters ?? []).length > 0);
  assert.equal(request.widgetIds, undefined, "one request for the whole dashboard");
  assert.match(decodeURIComponent(page.url()), new RegExp(`xf=\\[\\{"widgetId":"intents","filters":\\[\\{"field":"intent","op":"eq","value":"${bar.name}"`));
  // The clicked widget keeps all its bars; the alerts list has no intent field and says so.
  await page.waitForTimeout(500);
  assert.equal(await barCount(page, "body"), bar.bars, "the clicked chart is not filtered by its own selection");
  const marker = page.locator("[data-widget-id='alerts'] .vt-badge-unfiltered");
  await marker.waitFor();
  assert.equal((await marker.textContent()).trim(), "not filtered by intent");
  assert.equal(await page.locator("[data-widget-id='error-types'] .vt-badge-unfiltered").count(), 0);
  await screenshot(page, "crossfilter-app-chip-desktop");
  await assertAccessible(page, "dashboard with a cross-filter chip");

  // A reload keeps it (the URL carries it).
  await page.reload();
  await chip.waitFor({ timeout: 45000 });
  assert.equal((await chip.locator(".vt-chip-text").textContent()).trim(), `intent: ${bar.name}`);
  await page.locator("[data-widget-id='intents'] .vt-echart canvas").waitFor({ state: "attached", timeout: 45000 });
  await page.waitForTimeout(800);

  // The same bar again: cleared, and the widgets re-query without it.
  const after = recordDataRequests(page);
  const again = await largestIntentBar(page, "body");
  assert.equal(again.name, bar.name);
  await page.mouse.click(again.x, again.y);
  await chip.waitFor({ state: "detached", timeout: 10000 });
  await waitForRequest(page, after, null);
  assert.doesNotMatch(page.url(), /xf=/);
  await page.locator("[data-widget-id='alerts'] .vt-badge-unfiltered").waitFor({ state: "detached", timeout: 10000 });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("app: the chip's clear button removes the cross-filter; the phone layout shows chip and marker", async () => {
  const page = await newPage(browser, { width: 375, height: 800 });
  await login(page, "viewer@healthco.test");
  await page.waitForSelector("a.dash-card");
  const xf = JSON.stringify([{ widgetId: "intents", filters: [{ field: "intent", op: "eq", value: "billing" }] }]);
  await page.goto(`${BASE}/dashboards/healthco-ai-quality?xf=${encodeURIComponent(xf)}`);
  const chip = page.locator(".vt-crossfilters .vt-chip");
  await chip.waitFor({ timeout: 45000 });
  await page.locator("[data-widget-id='alerts'] .vt-badge-unfiltered").waitFor();
  // Below the fold on a phone: drawn once scrolled near.
  await page.locator("[data-widget-id='error-types'] .vt-echart").scrollIntoViewIfNeeded();
  await page.locator("[data-widget-id='error-types'] .vt-echart canvas").waitFor({ state: "attached", timeout: 45000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px`);
  await screenshot(page, "crossfilter-app-chip-phone");
  await assertAccessible(page, "dashboard on a phone with a cross-filter chip");
  await page.locator(".vt-crossfilters .vt-chip-clear").click();
  await chip.waitFor({ state: "detached" });
  await page.waitForURL((url) => !url.search.includes("xf="));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("app: a live update keeps a hidden legend item hidden and an open tooltip open", async () => {
  const page = await newPage(browser);
  await login(page, "analyst@healthco.test");
  await page.waitForSelector("a.dash-card");
  await page.goto(`${BASE}/dashboards/healthco-ai-quality`);
  const selector = "[data-widget-id='by-status'] .vt-echart";
  await page.locator(`${selector} canvas`).waitFor({ state: "attached", timeout: 45000 });
  await page.locator(".live-badge.open").waitFor({ timeout: 15000 });
  await page.waitForTimeout(800);
  // Hide the first legend item the way a legend click does, and remember the data on screen.
  const hidden = await page.evaluate((selector) => {
    const el = document.querySelector(selector);
    el.scrollIntoView({ block: "center" });
    const chart = echarts.getInstanceByDom(el);
    const name = chart.getOption().series[0].name;
    chart.dispatchAction({ type: "legendUnSelect", name });
    window.__chart = chart;
    // Live updates reach the chart as setOption calls (about one a second here); the values
    // they carry change only when the demo's generator adds events to the plotted buckets,
    // which can take longer than this test waits, so the updates are counted, not the values.
    window.__updates = 0;
    const setOption = chart.setOption;
    chart.setOption = function (...args) {
      window.__updates += 1;
      return setOption.apply(this, args);
    };
    return name;
  }, selector);
  // Hover the last point of a visible series so the tooltip opens. Where it is is read again
  // before each try: the dashboard's grid can still settle (widgets taking their height as
  // their data arrives) after the first read, leaving the pointer outside the plot.
  const lastPoint = () => page.evaluate((selector) => {
    const el = document.querySelector(selector);
    const chart = echarts.getInstanceByDom(el);
    const series = chart.getOption().series;
    const index = series.length > 1 ? 1 : 0;
    const data = series[index].data;
    const last = data[data.length - 1];
    const [x, y] = chart.convertToPixel({ seriesIndex: index }, Array.isArray(last) ? last : last.value);
    const rect = el.getBoundingClientRect();
    return { x: rect.left + x, y: rect.top + y };
  }, selector);
  // Just inside the point: on a time axis the last point sits on the plot's right edge.
  const hover = async () => {
    const point = await lastPoint();
    await page.mouse.move(point.x - 6, point.y);
    await page.mouse.move(point.x - 2, point.y);
  };
  await hover();
  const tooltipShown = () => page.evaluate((selector) => {
    const chart = echarts.getInstanceByDom(document.querySelector(selector));
    const view = chart.getViewOfComponentModel(chart.getModel().getComponent("tooltip"));
    const content = view?._tooltipContent;
    return Boolean(content?._show && content.el && !content.el.invisible);
  }, selector);
  const start = Date.now();
  for (let tries = 1; !(await tooltipShown()); tries++) {
    if (Date.now() - start > 10000) throw new Error("the tooltip did not open on hover");
    await page.waitForTimeout(100);
    if (tries % 10 === 0) await hover();
  }
  // Wait for two live updates to be applied to the chart with the tooltip open.
  const updatesBefore = await page.evaluate(() => window.__updates);
  await page.waitForFunction((n) => window.__updates >= n + 2, updatesBefore, { timeout: 30000 });
  await page.waitForTimeout(300);
  const legend = await page.evaluate(({ selector, hidden }) => {
    const chart = echarts.getInstanceByDom(document.querySelector(selector));
    return chart.getOption().legend[0].selected?.[hidden];
  }, { selector, hidden });
  assert.equal(legend, false, `legend item ${hidden} stays hidden after the update`);
  // Data loads and live re-queries update the chart in place: it is never re-created.
  assert.ok(await page.evaluate((selector) => echarts.getInstanceByDom(document.querySelector(selector)) === window.__chart, selector),
    "the chart instance survives the update");
  assert.ok(await tooltipShown(), "the tooltip stays open after the update");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

/** The embed host page (two tenants' embeds under a strict CSP). */
async function openEmbedPage() {
  const page = await newPage(browser, { width: 1500, height: 1000 });
  await page.goto(`${BASE}/embed.html`);
  await page.waitForFunction(() => document.querySelectorAll("#dash-healthco [data-widget-id='intents'] canvas").length > 0, null, { timeout: 60000 });
  await page.waitForTimeout(800);
  return page;
}

test("embed: dataClick comes first and preventDefault() cancels the cross-filter; otherwise it applies and getState() has it", async () => {
  const page = await openEmbedPage();
  const bodies = recordDataRequests(page);
  await page.evaluate(() => {
    window.__clicks = [];
    window.__prevent = (e) => { window.__clicks.push({ name: e.name, crossFilter: e.crossFilter, chips: document.querySelectorAll("#dash-healthco .vt-chip").length }); e.preventDefault(); };
    window.vantageEmbeds.healthco.on("dataClick", window.__prevent);
  });
  const bar = await largestIntentBar(page, "#dash-healthco");
  await page.mouse.click(bar.x, bar.y);
  await page.waitForFunction(() => window.__clicks.length === 1, null, { timeout: 10000 });
  const [click] = await page.evaluate(() => window.__clicks);
  assert.equal(click.name, bar.name);
  assert.deepEqual(click.crossFilter, { widgetId: "intents", filters: [{ field: "intent", op: "eq", value: bar.name }] });
  await page.waitForTimeout(1500);
  assert.equal(await page.locator("#dash-healthco .vt-chip").count(), 0, "prevented: no chip");
  assert.deepEqual(await page.evaluate(() => window.vantageEmbeds.healthco.getState().crossFilters), []);
  assert.ok(!bodies.some((b) => (b.crossFilters ?? []).length > 0), "prevented: no cross-filtered request");

  // Without the handler the default runs: chip, filtersChanged, getState, one request.
  await page.evaluate(() => {
    const dash = window.vantageEmbeds.healthco;
    dash.off("dataClick", window.__prevent);
    window.__changes = [];
    dash.on("dataClick", (e) => window.__clicks.push({ name: e.name, chips: document.querySelectorAll("#dash-healthco .vt-chip").length }));
    dash.on("filtersChanged", (e) => window.__changes.push(e.crossFilters));
  });
  const next = await largestIntentBar(page, "#dash-healthco");
  await page.mouse.click(next.x, next.y);
  const chip = page.locator("#dash-healthco .vt-crossfilters .vt-chip");
  await chip.waitFor({ timeout: 10000 });
  assert.equal((await chip.locator(".vt-chip-text").textContent()).trim(), `intent: ${next.name}`);
  const second = await page.evaluate(() => window.__clicks[1]);
  assert.equal(second.chips, 0, "dataClick is emitted before the cross-filter applies");
  const state = await page.evaluate(() => window.vantageEmbeds.healthco.getState());
  assert.deepEqual(state.crossFilters, [{ widgetId: "intents", filters: [{ field: "intent", op: "eq", value: next.name }] }]);
  await waitForRequest(page, bodies, next.name);
  assert.deepEqual(await page.evaluate(() => window.__changes.at(-1)), state.crossFilters);
  await page.locator("#dash-healthco [data-widget-id='alerts'] .vt-badge-unfiltered").waitFor();
  assert.equal(await page.locator("#dash-autoinsure .vt-chip").count(), 0, "the other embed is not affected");
  await page.locator("#dash-healthco").screenshot({ path: `${process.env.VANTAGE_ARTIFACTS ?? "test-artifacts"}/crossfilter-embed-chip.png` });

  // The same bar again clears it; setState restores it.
  const again = await largestIntentBar(page, "#dash-healthco");
  await page.mouse.click(again.x, again.y);
  await chip.waitFor({ state: "detached", timeout: 10000 });
  assert.deepEqual(await page.evaluate(() => window.vantageEmbeds.healthco.getState().crossFilters), []);
  await page.evaluate((s) => window.vantageEmbeds.healthco.setState(s), state);
  await chip.waitFor({ timeout: 10000 });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("embed: clickBehavior \"none\" only emits dataClick; \"drill\" is a config error naming the field", async () => {
  const page = await openEmbedPage();
  const outcome = await page.evaluate(async () => {
    const { EmbeddedDashboard } = await import("/pkg/index.js");
    const base = { baseUrl: location.origin, dashboardId: "healthco-ai-quality", token: "t" };
    let drill = null;
    try { new EmbeddedDashboard({ ...base, clickBehavior: "drill" }); } catch (e) { drill = { field: e.field, message: e.message }; }
    let other = null;
    try { new EmbeddedDashboard({ ...base, clickBehavior: "filter" }); } catch (e) { other = e.message; }
    return { drill, other };
  });
  assert.equal(outcome.drill.field, "clickBehavior");
  assert.match(outcome.drill.message, /^clickBehavior: "drill" is not supported/);
  assert.equal(outcome.other, 'clickBehavior: expected "crossFilter" or "none", got "filter"');

  // A third embed of the same dashboard with clickBehavior "none".
  await page.evaluate(async () => {
    const { EmbeddedDashboard } = await import("/pkg/index.js");
    const old = window.vantageEmbeds.healthco;
    old.destroy();
    const host = document.getElementById("dash-healthco");
    const login = await (await fetch("/api/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "analyst@healthco.test", password: "vantage-demo" }) })).json();
    const dash = new EmbeddedDashboard({ baseUrl: location.origin, dashboardId: "healthco-ai-quality", token: login.accessToken, clickBehavior: "none", live: "off",
      shadow: false }); // light DOM like the page's own embeds, which the helpers above query
    window.__clicks = [];
    dash.on("dataClick", (e) => window.__clicks.push(e.crossFilter));
    window.vantageEmbeds.healthco = dash;
    await dash.render(host);
  });
  await page.locator("#dash-healthco [data-widget-id='intents'] canvas").waitFor({ state: "attached", timeout: 30000 });
  await page.waitForTimeout(800);
  const bar = await largestIntentBar(page, "#dash-healthco");
  await page.mouse.click(bar.x, bar.y);
  await page.waitForFunction(() => window.__clicks.length === 1, null, { timeout: 10000 });
  await page.waitForTimeout(1000);
  assert.equal(await page.locator("#dash-healthco .vt-chip").count(), 0);
  assert.deepEqual(await page.evaluate(() => window.vantageEmbeds.healthco.getState().crossFilters), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("embed: the answer to a filter change redraws every chart in one task, even on a slow CPU (no half-filtered frame)", async () => {
  const resp = await fetch(`${BASE}/api/v1/auth/login`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "analyst@healthco.test", password: "vantage-demo" }),
  });
  assert.equal(resp.status, 200);
  const { accessToken } = await resp.json();
  // The benchmark page mounts the dashboard with live updates off, so only the filter redraws.
  const page = await newPage(browser, { width: 1280, height: 1600 });
  await page.goto(`${BASE}/bench/dashboard-ours.html#token=${accessToken}&dashboard=healthco-ai-quality`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60000 });
  await page.evaluate(() => window.bench.crossFilter("billing"));
  const charts = await page.evaluate(() => {
    // Every setOption notes the task it ran in: a task number that a setTimeout(0) ends.
    window.__updates = [];
    const instances = [...document.querySelectorAll("#dash .vt-echart")]
      .map((el) => echarts.getInstanceByDom(el)).filter(Boolean);
    for (const chart of instances) {
      const setOption = chart.setOption;
      chart.setOption = function (...args) {
        if (!window.__task) {
          window.__task = { n: (window.__tasks = (window.__tasks ?? 0) + 1) };
          setTimeout(() => { window.__task = null; }, 0);
        }
        window.__updates.push({ chart: chart.id, task: window.__task.n });
        return setOption.apply(this, args);
      };
    }
    return instances.length;
  });
  assert.ok(charts >= 5, `the dashboard's charts are drawn: ${charts}`);
  // An 8× slower CPU: the updates together pass the pacer's budget for a live tick's updates.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 8 });
  await page.evaluate(() => window.bench.dash.setFilters([{ field: "intent", op: "eq", value: "claims" }]));
  // Until no chart has been updated for a second (a paced update would come in a later task).
  let seen = -1;
  for (let quiet = 0; quiet < 4;) {
    await page.waitForTimeout(250);
    const now = await page.evaluate(() => window.__updates.length);
    quiet = now === seen ? quiet + 1 : 0;
    seen = now;
  }
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  const updates = await page.evaluate(() => window.__updates);
  const updated = new Set(updates.map((u) => u.chart));
  assert.ok(updated.size >= charts - 1, `the filter redrew the charts: ${JSON.stringify(updates)}`);
  assert.equal(new Set(updates.map((u) => u.task)).size, 1, `all in one task: ${JSON.stringify(updates)}`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
