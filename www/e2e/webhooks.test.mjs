// Webhooks on the alerts page against the real reference server with demo data (started with
// --allow-local-webhooks): a tenant admin creates a webhook to a receiver this test runs on
// loopback, reads its secret shown once, sends a test and sees it delivered, while the receiver
// checks the delivery's signature with that secret; a bad address or no event is named beside
// its field before any request, and the server's own 422 lands beside the field it names; an
// analyst does not see the section; a new secret signs the next delivery at once; edited to
// send chat messages, the webhook's next test arrives as {"text": …}; the admin deletes the
// webhook (the demo database is shared with the other tests).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";
import { BASE, assertAccessible, launch, newPage, login, screenshot } from "./harness.mjs";

const ADMIN = "admin@healthco.test";
// Unique per run, so a rerun against the same server finds its own webhook.
const NAME = `Pager relay ${Date.now().toString(36)}`;

let browser;
let receiver;
let hookUrl;
/** Every request the receiver got: method, path, headers, body (the raw bytes). */
const arrivals = [];
const waiting = [];

/** Resolves with the first request (already arrived or still to come) `match` accepts. */
function arrival(match, timeout = 15000) {
  const found = arrivals.find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const waiter = { match, resolve };
    waiting.push(waiter);
    setTimeout(() => {
      const at = waiting.indexOf(waiter);
      if (at < 0) return;
      waiting.splice(at, 1);
      reject(new Error(`no matching delivery within ${timeout} ms (${arrivals.length} requests arrived)`));
    }, timeout).unref();
  });
}

before(async () => {
  browser = await launch();
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const got = { method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks) };
      arrivals.push(got);
      for (const waiter of waiting.filter((w) => w.match(got))) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(got);
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;
});

after(async () => {
  // Whatever happened above, the shared demo database keeps no webhook of this run.
  try {
    const login = await fetch(`${BASE}/api/v1/auth/login`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: ADMIN, password: "vantage-demo" }),
    });
    const headers = { authorization: `Bearer ${(await login.json()).accessToken}` };
    const list = await (await fetch(`${BASE}/api/v1/webhooks`, { headers })).json();
    for (const w of (list.items ?? []).filter((w) => w.name === NAME)) {
      await fetch(`${BASE}/api/v1/webhooks/${encodeURIComponent(w.id)}`, { method: "DELETE", headers });
    }
  } finally {
    await browser?.close();
    receiver?.closeAllConnections();
    receiver?.close();
  }
});

/** Signs in as `email` and opens the alerts page with its webhooks section loaded (admins). */
async function alertsPage(email, viewport) {
  const page = await newPage(browser, viewport);
  await login(page, email);
  await page.waitForSelector("a.dash-card");
  await page.goto(`${BASE}/alerts`);
  await page.locator(".alert-rules .rules-table, .alert-rules .app-empty").first().waitFor();
  if (email === ADMIN) await page.locator(".webhooks .webhooks-table, .webhooks .app-empty").first().waitFor();
  return page;
}

const row = (page) => page.locator(".webhooks-table tr", { has: page.locator(`strong:text-is("${NAME}")`) });

/** Checks `got` is a delivery signed with `secret` as the contract says; returns its payload. */
function assertSigned(got, secret) {
  const header = got.headers["vantage-signature"] ?? "";
  const [, t, v1] = header.match(/^t=(\d+),v1=([0-9a-f]{64})$/) ?? [];
  assert.ok(t && v1, `Vantage-Signature: ${header}`);
  const expected = createHmac("sha256", secret).update(`${t}.`).update(got.body).digest();
  assert.ok(timingSafeEqual(expected, Buffer.from(v1, "hex")), "the signature verifies with the secret");
  assert.ok(Math.abs(Date.now() / 1000 - Number(t)) < 300, `t=${t} is recent`);
  return JSON.parse(got.body.toString("utf8"));
}

/** Presses "Send test" on the webhook's row; resolves with the pending delivery answered. */
async function sendTest(page) {
  const answered = page.waitForResponse((r) => /\/api\/v1\/webhooks\/[^/]+\/test$/.test(r.url()));
  await row(page).locator("button:text-is('Send test')").click();
  const response = await answered;
  assert.equal(response.status(), 202);
  const delivery = await response.json();
  assert.equal(delivery.event, "ping");
  return delivery;
}

/** Waits until the deliveries table shows `id` delivered (Refresh once if the follow-up ended). */
async function deliveredRow(page, id) {
  const delivered = page.locator(`.deliveries-table tr[data-delivery-id="${id}"][data-status="delivered"]`);
  try {
    await delivered.waitFor({ timeout: 10000 });
  } catch {
    await page.click(".webhook-deliveries button:text-is('Refresh')");
    await delivered.waitFor({ timeout: 10000 });
  }
  return delivered;
}

let secret;

test("a tenant admin creates a webhook, reads its secret once, and a signed test is delivered", async () => {
  const page = await alertsPage(ADMIN);
  // The alerts page says where to send alerts elsewhere.
  assert.equal(await page.locator("a[href='/alerts#webhooks']").count(), 1);
  // A new webhook asks for every alert event and is enabled.
  assert.deepEqual(await page.locator(".webhook-events input[type=checkbox]").evaluateAll((boxes) => boxes.map((b) => [b.value, b.checked])),
    [["alert.raised", true], ["alert.acknowledged", true], ["alert.resolved", true]]);
  assert.equal(await page.isChecked("#webhook-enabled"), true);
  await page.fill("#webhook-name", NAME);
  await page.fill("#webhook-url", hookUrl);
  const created = page.waitForResponse((r) => r.url().endsWith("/api/v1/webhooks") && r.request().method() === "POST");
  await page.click(".webhook-form button[type=submit]");
  assert.equal((await created).status(), 201, await (await created).text());
  const answer = await (await created).json();
  assert.match(answer.secret, /^whsec_/);
  assert.deepEqual(answer.webhook.events, ["alert.raised", "alert.acknowledged", "alert.resolved"]);
  assert.equal(answer.webhook.format, "event");
  // The secret, shown once, read-only, with Copy and how to verify a delivery.
  secret = await page.inputValue("#webhook-secret");
  assert.equal(secret, answer.secret);
  assert.equal(await page.getAttribute("#webhook-secret", "readonly"), "");
  const box = page.locator(".secret-box");
  assert.match(await box.textContent(), /will not be shown again/);
  assert.match(await box.textContent(), /Vantage-Signature.*HMAC-SHA256/);
  assert.equal(await box.locator("button:text-is('Copy')").count(), 1);
  // Listed with its events in words; nothing sent yet; the form is empty again.
  await row(page).waitFor();
  const text = await row(page).textContent();
  assert.ok(text.includes(hookUrl), text);
  assert.match(text, /Alert raised, Alert acknowledged, Alert resolved/);
  assert.match(text, /Enabled/);
  assert.match(text, /Nothing sent yet/);
  assert.equal(await page.inputValue("#webhook-name"), "");
  await assertAccessible(page, "alerts page with a webhook and its secret");
  await screenshot(page, "webhooks-created");

  // Send test: the receiver gets a signed ping, and the deliveries show it delivered.
  const test = await sendTest(page);
  const got = await arrival((r) => r.headers["vantage-event-id"] === test.eventId);
  assert.equal(got.method, "POST");
  assert.equal(got.path, "/hook");
  assert.equal(got.headers["vantage-event-type"], "ping");
  const payload = assertSigned(got, secret);
  assert.equal(payload.type, "ping");
  assert.equal(payload.id, test.eventId);
  assert.equal(typeof payload.tenant, "string");
  const delivered = await deliveredRow(page, test.id);
  assert.match(await delivered.textContent(), /Test \(ping\)/);
  assert.match(await delivered.textContent(), /Delivered/);
  assert.equal((await delivered.locator("td").nth(3).textContent()).trim(), "200");
  assert.match(await page.locator(".webhook-deliveries h3").textContent(), new RegExp(NAME));
  // The row says how its last delivery went.
  await row(page).locator(".webhook-outcome", { hasText: /^\s*Delivered · 200 · / }).waitFor({ timeout: 10000 });
  await assertAccessible(page, "alerts page with a webhook's deliveries");
  await screenshot(page, "webhooks-delivered");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a bad address or no event is named beside its field before any request; the server's 422 too", async () => {
  const page = await alertsPage(ADMIN);
  let posted = 0;
  page.on("request", (r) => { if (r.method() === "POST" && r.url().endsWith("/api/v1/webhooks")) posted++; });
  const before = arrivals.length;
  await page.fill("#webhook-name", "Bad address");
  await page.fill("#webhook-url", "ftp://x");
  await page.click(".webhook-form button[type=submit]");
  const urlError = page.locator("label[for=webhook-url] .field-error");
  assert.match(await urlError.textContent(), /https:\/\//);
  assert.equal(await page.getAttribute("#webhook-url", "aria-invalid"), "true");
  assert.match(await page.getAttribute("#webhook-url", "aria-describedby"), /webhook-url-error/);
  assert.equal(await page.locator("label[for=webhook-name] .field-error").count(), 0);
  // No event: said beside the events.
  await page.fill("#webhook-url", hookUrl);
  for (const box of await page.locator(".webhook-events input[type=checkbox]").all()) await box.uncheck();
  await page.click(".webhook-form button[type=submit]");
  assert.match(await page.locator("#webhook-events .field-error").textContent(), /at least one event/);
  assert.equal(await urlError.count(), 0);
  assert.equal(posted, 0);
  await assertAccessible(page, "webhook form with a field error");
  await screenshot(page, "webhooks-field-errors");
  // What only the server knows lands beside the field it names: an address whose host passes
  // the contract's check but that the server cannot parse (an IPv6 host without its "]").
  await page.check(".webhook-events input[value='alert.raised']");
  await page.fill("#webhook-url", "http://[::1/hook");
  const refused = page.waitForResponse((r) => r.url().endsWith("/api/v1/webhooks") && r.request().method() === "POST");
  await page.click(".webhook-form button[type=submit]");
  assert.equal((await refused).status(), 422);
  await urlError.waitFor();
  assert.match(await urlError.textContent(), /not a valid address/);
  assert.equal(await page.getAttribute("#webhook-url", "aria-invalid"), "true");
  assert.equal(await page.locator(".webhooks-table strong:text-is('Bad address')").count(), 0);
  assert.equal(arrivals.length, before, "the receiver got nothing");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("an analyst does not see the webhooks", async () => {
  const page = await newPage(browser);
  const asked = [];
  page.on("request", (r) => { if (r.url().includes("/api/v1/webhooks")) asked.push(r.url()); });
  await login(page, "analyst@healthco.test");
  await page.waitForSelector("a.dash-card");
  await page.goto(`${BASE}/alerts`);
  await page.locator(".alert-rules .rules-table, .alert-rules .app-empty").first().waitFor();
  assert.equal(await page.locator(".webhooks, #webhook-secret, .webhook-form").count(), 0);
  assert.equal(await page.locator("a[href='/alerts#webhooks']").count(), 0);
  assert.deepEqual(asked, []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("on a phone the webhooks fit the screen", async () => {
  const page = await alertsPage(ADMIN, { width: 390, height: 844 });
  await row(page).waitFor();
  await row(page).locator("button:text-is('Show deliveries')").click();
  await page.locator(".deliveries-table tr[data-delivery-id]").first().waitFor();
  assert.equal(await row(page).locator("button:text-is('Hide deliveries')").getAttribute("aria-expanded"), "true");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await screenshot(page, "webhooks-phone");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a new secret signs the next delivery at once; the admin deletes the webhook", async () => {
  const page = await alertsPage(ADMIN);
  await row(page).waitFor();
  // New secret asks first, then shows the new one once.
  page.once("dialog", (d) => { assert.match(d.message(), new RegExp(NAME)); d.accept(); });
  const rotated = page.waitForResponse((r) => /\/api\/v1\/webhooks\/[^/]+\/secret$/.test(r.url()));
  await row(page).locator("button:text-is('New secret')").click();
  assert.equal((await rotated).status(), 200);
  await page.locator("#webhook-secret").waitFor();
  const fresh = await page.inputValue("#webhook-secret");
  assert.match(fresh, /^whsec_/);
  assert.notEqual(fresh, secret);
  const test = await sendTest(page);
  const got = await arrival((r) => r.headers["vantage-event-id"] === test.eventId);
  assertSigned(got, fresh);
  await deliveredRow(page, test.id);
  // Edited to send chat messages (Slack and the like): said in the list, and the next test
  // arrives as {"text": …}, signed the same way.
  await row(page).locator("button:text-is('Edit')").click();
  assert.equal(await page.inputValue("#webhook-format"), "event");
  await page.selectOption("#webhook-format", "chat");
  const saved = page.waitForResponse((r) => /\/api\/v1\/webhooks\/[^/]+$/.test(r.url()) && r.request().method() === "PUT");
  await page.click(".webhook-form button[type=submit]");
  assert.equal((await saved).status(), 200);
  assert.equal((await (await saved).json()).format, "chat");
  await row(page).filter({ hasText: "as a chat message" }).waitFor();
  const chat = await sendTest(page);
  const chatGot = await arrival((r) => r.headers["vantage-event-id"] === chat.eventId);
  assert.deepEqual(assertSigned(chatGot, fresh), { text: "Vantage test message: this webhook works." });
  // Delete asks first, saying what it does; dismissing keeps the webhook.
  page.once("dialog", (d) => d.dismiss());
  await row(page).locator("button:text-is('Delete')").click();
  assert.equal(await row(page).count(), 1);
  page.once("dialog", (d) => {
    assert.match(d.message(), new RegExp(NAME));
    assert.ok(d.message().includes(hookUrl), d.message());
    d.accept();
  });
  await row(page).locator("button:text-is('Delete')").click();
  await row(page).waitFor({ state: "detached" });
  assert.equal(await page.locator(".webhook-deliveries, #webhook-secret").count(), 0);
  // The server agrees: a fresh page does not list it.
  await page.reload();
  await page.locator(".webhooks .webhooks-table, .webhooks .app-empty").first().waitFor();
  assert.equal(await row(page).count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
