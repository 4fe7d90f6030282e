// Failover through the local cluster (`cargo xtask test` starts it: Redis, two replicas on one
// SQLite file, HAProxy in front) and passes VANTAGE_CLUSTER_URL (HAProxy) and
// VANTAGE_CLUSTER_REPLICAS (`replica1=<pid>,replica2=<pid>`; HAProxy names the replica that
// answered in `X-Vantage-Replica`). Without them this file skips.
//
// An embedded dashboard is live over WebSocket through HAProxy; the replica holding its socket
// is killed with SIGKILL; the embed reconnects through HAProxy to the other replica, resumes from
// its cursor, and gets every live message exactly once (seq continuity), with no page error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const CLUSTER = process.env.VANTAGE_CLUSTER_URL;
const REPLICAS = Object.fromEntries((process.env.VANTAGE_CLUSTER_REPLICAS ?? "")
  .split(",").filter(Boolean).map((pair) => pair.split("=")).map(([name, pid]) => [name, Number(pid)]));
const ARTIFACTS = process.env.VANTAGE_ARTIFACTS ?? "test-artifacts";
const skip = !CLUSTER && "VANTAGE_CLUSTER_URL is not set (cargo xtask test starts the cluster)";

// Records every WebSocket's sent and received frames, installed before any page script runs.
function recordSockets() {
  window.__sockets = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      const record = { sent: [], got: [] };
      this.__record = record;
      window.__sockets.push(record);
      this.addEventListener("message", (e) => { try { record.got.push(JSON.parse(e.data)); } catch { record.got.push({ raw: String(e.data) }); } });
    }
    send(data) {
      try { this.__record.sent.push(JSON.parse(data)); } catch { this.__record.sent.push({ raw: String(data) }); }
      super.send(data);
    }
  };
}

const received = (page) => page.evaluate(() => window.__sockets.map((s) => ({ sent: s.sent, got: s.got })));

async function until(what, f, ms = 45000) {
  const started = Date.now();
  for (;;) {
    const value = await f();
    if (value) return value;
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const isData = (m) => m.kind !== "heartbeat" && m.kind !== "reset";

test("killing the replica that holds an embed's WebSocket: it resumes on the other replica, every message once", { skip, timeout: 120000 }, async () => {
  assert.equal(Object.keys(REPLICAS).length, 2, `VANTAGE_CLUSTER_REPLICAS: ${process.env.VANTAGE_CLUSTER_REPLICAS}`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.addInitScript(recordSockets);
    // Which replica answered each WebSocket's handshake (HAProxy's header, read over CDP), in
    // the order the sockets were created (the order of window.__sockets).
    const created = [];
    const replicaOf = {};
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    cdp.on("Network.webSocketCreated", (e) => created.push(e.requestId));
    cdp.on("Network.webSocketHandshakeResponseReceived", (e) => {
      const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      replicaOf[e.requestId] = headers["x-vantage-replica"];
    });
    const replicaOfSocket = (i) => replicaOf[created[i]];
    // A bare document on the cluster's origin (the health answer; a page the test fulfilled
    // itself would count as public and Chromium would block its loopback requests), made a host.
    await page.goto(`${CLUSTER}/api/v1/health`);
    await page.evaluate(() => {
      document.body.replaceChildren();
      const dash = document.createElement("div");
      dash.id = "dash";
      dash.style.cssText = "width:1100px;height:800px";
      const echarts = document.createElement("script");
      echarts.src = "/vendor/echarts/echarts-vantage.min.js";
      document.body.append(dash, echarts);
    });
    await page.waitForFunction(() => window.echarts, null, { timeout: 30000 });
    await page.evaluate(async () => {
      const { default: init, EmbeddedDashboard } = await import("/pkg/vantage_embed.js");
      await init();
      const post = async (path, body, auth) => (await fetch(`/api/v1${path}`, { method: "POST",
        headers: { "Content-Type": "application/json", ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
        body: JSON.stringify(body) })).json();
      const login = await post("/auth/login", { email: "manager@healthco.test", password: "vantage-demo" });
      const token = (await post("/embed/tokens", { dashboardId: "healthco-latency", permissions: ["view_dashboard"],
        allowedOrigins: [location.origin], lockedFilters: [], expiresIn: 600 }, login.accessToken)).token;
      window.__statuses = [];
      const dash = new EmbeddedDashboard({ baseUrl: location.origin, dashboardId: "healthco-latency", token, live: "websocket" });
      dash.on("liveStatus", (e) => window.__statuses.push(e.status));
      await dash.render(document.querySelector("#dash"));
      window.__dash = dash;
    });
    const before = await until("live messages", async () => {
      const sockets = await received(page);
      return sockets.length > 0 && sockets.at(-1).got.filter(isData).length >= 3 && sockets;
    }).catch(async (e) => {
      const state = await page.evaluate(() => ({ statuses: window.__statuses, sockets: window.__sockets }));
      throw new Error(`${e.message}: ${JSON.stringify({ ...state, replicaOf, errors }).slice(0, 3000)}`);
    });
    const killed = before.length - 1;
    const holder = replicaOfSocket(killed);
    assert.ok(REPLICAS[holder], `the handshake names a replica: ${JSON.stringify({ created, replicaOf })}`);
    process.kill(REPLICAS[holder], "SIGKILL");

    // Back through HAProxy on the other replica, and messages flow again.
    const sockets = await until("live messages after the failover", async () => {
      const all = await received(page);
      return all.length > killed + 1 && all.at(-1).got.filter(isData).length >= 3 && all;
    });
    await page.screenshot({ path: join(ARTIFACTS, "cluster-failover.png"), fullPage: true });
    const other = replicaOfSocket(sockets.length - 1);
    assert.ok(other && other !== holder, `reconnected to the other replica: ${JSON.stringify({ holder, other })}`);

    const lastBefore = sockets[killed].got.at(-1);
    const later = sockets.slice(killed + 1);
    const resumedWith = later.map((s) => s.sent.find((m) => m.type === "auth")).find(Boolean)?.since;
    assert.equal(resumedWith, `${lastBefore.epoch}:${lastBefore.seq}`, "the embed resumed from its cursor");
    assert.ok(!later.flatMap((s) => s.got).some((m) => m.kind === "reset"), "no reset: the replicas share the stream");
    // Every message follows the cursor before it: no gap and no duplicate across the failover.
    const all = sockets.flatMap((s) => s.got);
    for (let i = 1; i < all.length; i++) {
      const [prev, m] = [all[i - 1], all[i]];
      assert.equal(m.epoch, prev.epoch, "one epoch across the replicas");
      if (isData(m)) assert.equal(m.seq, prev.seq + 1, `message ${i}: seq ${m.seq} after ${prev.seq}`);
      else assert.ok(m.seq >= prev.seq, `heartbeat ${i}: seq ${m.seq} after ${prev.seq}`);
    }
    const seqs = all.filter(isData).map((m) => m.seq);
    assert.equal(new Set(seqs).size, seqs.length, "each message once");
    const statuses = await page.evaluate(() => window.__statuses);
    assert.equal(statuses.at(-1), "open", `live again: ${statuses.join(" → ")}`);
    assert.deepEqual(errors, [], "no page errors");
  } finally {
    await browser.close();
  }
});
