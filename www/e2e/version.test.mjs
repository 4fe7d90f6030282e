// The contract version handshake as a host page meets it: an SDK whose contract version the
// backend does not serve gets a clear `unsupported_version` error naming both versions (the
// rejected render() and the `error` event), instead of failing oddly later. The mismatch is made
// by rewriting the SDK's version header on its way to the real server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, newPage, screenshot } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function embedOutcome(page) {
  return page.evaluate(async () => {
    const { EmbeddedDashboard } = await import("/pkg/index.js");
    const post = async (path, body, token) => {
      const r = await fetch(`/api/v1${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      return r.json();
    };
    const login = await post("/auth/login", { email: "manager@healthco.test", password: "vantage-demo" });
    const { token } = await post("/embed/tokens", {
      dashboardId: "healthco-ai-quality", permissions: ["view_dashboard"], allowedOrigins: [location.origin],
      lockedFilters: [], expiresIn: 600,
    }, login.accessToken);
    const host = document.createElement("div");
    host.id = "version-probe";
    host.style.cssText = "width: 900px; height: 500px";
    document.body.prepend(host);
    const dash = new EmbeddedDashboard({ baseUrl: location.origin, dashboardId: "healthco-ai-quality", token, live: "off" });
    const events = [];
    dash.on("error", (e) => events.push({ code: e.code, message: e.message }));
    let rejected = null;
    try { await dash.render(host); } catch (e) { rejected = { name: e.name, code: e.code, message: e.message, status: e.status }; }
    await new Promise((r) => setTimeout(r, 300));
    const text = host.innerText;
    dash.destroy();
    return { rejected, events, text };
  });
}

test("a backend that does not serve the SDK's contract version is reported, naming both versions", async () => {
  const page = await newPage(browser);
  const sent = [];
  await page.route("**/api/v1/**", (route) => {
    const headers = route.request().headers();
    sent.push({ url: route.request().url(), contract: headers["x-vantage-contract"], sdk: headers["x-vantage-sdk"] });
    // Only the SDK's own requests (it names itself) are made to speak another version.
    if (headers["x-vantage-sdk"]) headers["x-vantage-contract"] = "2";
    return route.continue({ headers });
  });
  await page.goto(`${BASE}/embed.html`);
  const outcome = await embedOutcome(page);
  const sdkRequests = sent.filter((s) => s.sdk);
  assert.ok(sdkRequests.length > 0, "the SDK sent no request naming itself");
  assert.ok(sdkRequests.every((s) => s.contract === "1" && /^vantage-sdk\/\d+\.\d+\.\d+/.test(s.sdk)),
    `SDK requests must state contract 1 and the SDK version: ${JSON.stringify(sdkRequests.slice(0, 3))}`);
  assert.ok(outcome.rejected, "render() must reject");
  assert.equal(outcome.rejected.name, "VantageError");
  assert.equal(outcome.rejected.code, "unsupported_version");
  assert.equal(outcome.rejected.status, 400);
  assert.match(outcome.rejected.message, /version 1/);
  assert.match(outcome.rejected.message, /"2"/);
  assert.ok(outcome.events.some((e) => e.code === "unsupported_version" && /version 1/.test(e.message)),
    `an error event naming both versions: ${JSON.stringify(outcome.events)}`);
  await screenshot(page, "embed-version-mismatch");
  await page.context().close();
});

test("the same embed renders when the versions match", async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/embed.html`);
  const outcome = await embedOutcome(page);
  assert.equal(outcome.rejected, null, `render() rejected: ${JSON.stringify(outcome.rejected)}`);
  assert.deepEqual(outcome.events, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
