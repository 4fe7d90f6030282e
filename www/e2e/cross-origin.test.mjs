// A host page on ANOTHER origin pastes exactly the `<script type="module">` snippet the app's
// embed page generates: ECharts and the package are loaded from the Vantage server across
// origins (CORS on /pkg and /vendor for the tenant's embed origins), the package initialises
// itself, and a live dashboard renders. A host origin the tenant did not allow cannot load it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { BASE, launch, newPage, login, screenshot } from "./harness.mjs";

let browser;
let hostPage = "<!doctype html><title>empty</title>";
const hosts = [];

/** A tiny static server on a free loopback port that always answers with `hostPage`. */
async function startHost() {
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(hostPage);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  hosts.push(server);
  return `http://127.0.0.1:${server.address().port}`;
}

async function api(path, { method = "GET", token, body } = {}) {
  const res = await fetch(`${BASE}/api/v1${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} ${path}: HTTP ${res.status} ${await res.clone().text()}`);
  return res.status === 204 ? null : res.json();
}

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const server of hosts) {
    server.closeAllConnections();
    server.close();
  }
});

test("the app's plain-HTML snippet renders a live dashboard on another origin", async () => {
  const allowedHost = await startHost();
  const otherHost = await startHost();
  // A tenant admin allows the host origin (the server's CORS follows at once).
  const admin = (await api("/auth/login", { method: "POST", body: { email: "admin@healthco.test", password: "vantage-demo" } })).accessToken;
  const before = (await api("/tenant", { token: admin })).embedOrigins;
  await api("/tenant/embed-origins", { method: "PUT", token: admin, body: { origins: [...before, allowedHost] } });
  try {
    // A manager creates the token for that origin in the app and copies the snippet.
    const app = await newPage(browser);
    await login(app, "manager@healthco.test");
    await app.waitForSelector("a.dash-card");
    await app.goto(`${BASE}/embed`);
    await app.waitForSelector(`input[name=origin][value='${allowedHost}']`);
    await app.waitForSelector(".embed-form select[name=dashboard] option[value='healthco-ai-quality']", { state: "attached" });
    await app.selectOption("select[name=dashboard]", "healthco-ai-quality");
    for (const box of await app.locator("input[name=origin]").all()) {
      if ((await box.getAttribute("value")) !== allowedHost && (await box.isChecked())) await box.uncheck();
    }
    await app.check(`input[name=origin][value='${allowedHost}']`);
    await app.click(".embed-form button[type=submit]");
    await app.waitForSelector(".snippet-html");
    const snippet = await app.locator(".snippet-html").textContent();
    assert.match(snippet, new RegExp(`from "${BASE}/pkg/index.js"`));
    assert.doesNotMatch(snippet, /init\(/, "the package initialises itself");
    await app.context().close();

    // The snippet, pasted as is into a page served by the host's own server.
    hostPage = `<!doctype html><html><head><meta charset="utf-8"><title>Host</title></head><body><h1>Host page</h1>${snippet}</body></html>`;
    const host = await newPage(browser);
    const crossOrigin = [];
    host.on("response", (r) => {
      if (r.url().startsWith(`${BASE}/pkg/`) || r.url().startsWith(`${BASE}/vendor/`)) crossOrigin.push([r.url(), r.status()]);
    });
    // Live: the embed opens the server's live stream from the host origin and receives messages.
    const liveMessage = new Promise((resolve) => {
      host.on("websocket", (ws) => {
        if (ws.url().includes("/api/v1/live/")) ws.on("framereceived", () => resolve(ws.url()));
      });
    });
    await host.goto(allowedHost);
    await host.waitForSelector("#dashboard .vt-echart canvas", { state: "attached", timeout: 60000 });
    // Text selectors pierce the embed's shadow root.
    await host.locator("#dashboard").getByText("Validations (24h)").first().waitFor({ timeout: 30000 });
    const live = await Promise.race([liveMessage, new Promise((r) => setTimeout(() => r(null), 30000))]);
    assert.ok(live, "no live message reached the host page");
    assert.ok(crossOrigin.some(([url]) => url.endsWith("/pkg/index.js")), JSON.stringify(crossOrigin));
    assert.ok(crossOrigin.some(([url]) => url.endsWith(".wasm")), JSON.stringify(crossOrigin));
    assert.ok(crossOrigin.every(([, status]) => status === 200 || status === 304), JSON.stringify(crossOrigin));
    assert.deepEqual(host.errors, []);
    await screenshot(host, "cross-origin-snippet-host");
    await host.context().close();

    // The same snippet on an origin the tenant did not allow: the browser refuses the module.
    const other = await newPage(browser);
    const failed = [];
    other.on("requestfailed", (r) => failed.push(r.url()));
    await other.goto(otherHost);
    await other.waitForFunction(() => document.readyState === "complete");
    await other.waitForTimeout(1000);
    assert.ok(failed.some((url) => url.endsWith("/pkg/index.js")), `blocked: ${JSON.stringify(failed)}`);
    assert.equal(await other.locator("#dashboard canvas").count(), 0);
    await other.context().close();
  } finally {
    await api("/tenant/embed-origins", { method: "PUT", token: admin, body: { origins: before } });
  }
});
