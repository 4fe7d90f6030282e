// Alert rules on the alerts page against the real reference server with demo data: a manager
// creates a rule with a filter on the demo's `validations` dataset that fires at once, sees its
// last check and the alert it raised (worded from the rule, its rows one click away with the
// rule's filter); bad numbers and filter values are named beside their field; an analyst sees the
// rules but may not change them; the manager disables the rule, then deletes it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, assertAccessible, launch, newPage, login, screenshot } from "./harness.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Unique per run, so a rerun against the same server finds its own rule.
const NAME = `Validations are flowing ${Date.now().toString(36)}`;

/** Signs in as `email` and opens the alerts page with its rules section loaded. */
async function alertsPage(email, viewport) {
  const page = await newPage(browser, viewport);
  await login(page, email);
  await page.waitForSelector("a.dash-card");
  await page.goto(`${BASE}/alerts`);
  await page.locator(".alert-rules .rules-table, .alert-rules .app-empty").first().waitFor();
  return page;
}

/** Fills the rule form (ids are the inputs' own; every field has a label). */
async function fillRule(page, { name = NAME, threshold = "0", window = "60" } = {}) {
  await page.locator("#rule-dataset option[value='validations']").waitFor({ state: "attached" });
  await page.selectOption("#rule-dataset", "validations");
  await page.fill("#rule-name", name);
  await page.selectOption("#rule-field", "*");
  await page.selectOption("#rule-agg", "count");
  await page.selectOption("#rule-condition", "above");
  await page.fill("#rule-threshold", threshold);
  await page.fill("#rule-window", window);
  await page.selectOption("#rule-severity", "warning");
}

const row = (page) => page.locator(".rules-table tr", { has: page.locator(`strong:text-is("${NAME}")`) });

test("a manager creates a rule that fires at once: listed with its value, and its alert appears", async () => {
  const page = await alertsPage("manager@healthco.test");
  await fillRule(page);
  // Only valid answers count: a filter on the dataset's status field.
  assert.match(await page.locator(".rule-filters").textContent(), /Every row of the dataset counts/);
  await page.click(".rule-filters button:text-is('Add filter')");
  await page.selectOption("#rule-filter-0-field", "status");
  await page.selectOption("#rule-filter-0-op", "in");
  await page.fill("#rule-filter-0-value", "VALID, UNKNOWN");
  const saved = page.waitForResponse((r) => r.url().endsWith("/api/v1/alert-rules") && r.request().method() === "POST");
  await page.click(".rule-form button[type=submit]");
  assert.ok((await saved).ok(), `create answered ${(await saved).status()}`);
  assert.deepEqual((await (await saved).json()).definition.filters, [{ field: "status", op: "in", values: ["VALID", "UNKNOWN"] }]);
  await row(page).waitFor();
  assert.match(await row(page).textContent(), /Count of rows above 0 over 60 min · Status is one of VALID, UNKNOWN/);
  assert.equal(await row(page).getAttribute("data-firing"), "true");
  const value = (await row(page).locator(".rule-value").textContent()).trim();
  assert.ok(Number(value.replace(/,/g, "")) > 0, `value ${value}`);
  assert.match(await row(page).locator(".rule-last").textContent(), /Firing/);
  // The alert it raised, titled with the rule's name, in the list above, worded from the rule;
  // its rows are the rule's: the filter travels with "See the rows".
  const alert = page.locator(".alert-row", { has: page.locator("strong", { hasText: NAME }) }).first();
  await alert.waitFor({ timeout: 15000 });
  assert.match(await alert.locator(".alert-body > p").first().textContent(),
    /^Count of rows was [\d,]+ over the last 60 min, above the threshold 0$/);
  const rows = new URL(await alert.locator("a", { hasText: "See the rows" }).getAttribute("href"), BASE);
  assert.deepEqual(JSON.parse(rows.searchParams.get("filters")), [{ field: "status", op: "in", values: ["VALID", "UNKNOWN"] }]);
  assert.equal(rows.searchParams.get("back"), "/alerts");
  // The form is empty again, ready for the next rule.
  assert.equal(await page.inputValue("#rule-name"), "");
  await assertAccessible(page, "alerts page with rules");
  await screenshot(page, "alert-rules-manager");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("numbers the server refuses are named beside their field", async () => {
  const page = await alertsPage("admin@healthco.test");
  // Not a number: the form says so itself.
  await fillRule(page, { name: "Bad numbers", threshold: "" });
  await page.click(".rule-form button[type=submit]");
  const threshold = page.locator("label[for=rule-threshold] .field-error");
  assert.match(await threshold.textContent(), /number/);
  assert.equal(await page.getAttribute("#rule-threshold", "aria-invalid"), "true");
  // A window longer than a day: the server's 422 names `windowMinutes`.
  await page.fill("#rule-threshold", "5");
  await page.fill("#rule-window", "5000");
  const refused = page.waitForResponse((r) => r.url().endsWith("/api/v1/alert-rules") && r.request().method() === "POST");
  await page.click(".rule-form button[type=submit]");
  assert.equal((await refused).status(), 422);
  const windowError = page.locator("label[for=rule-window] .field-error");
  assert.match(await windowError.textContent(), /1440/);
  assert.equal(await page.locator("label[for=rule-threshold] .field-error").count(), 0);
  // A blank name: the server names `name`.
  await page.fill("#rule-window", "15");
  await page.fill("#rule-name", " ");
  await page.click(".rule-form button[type=submit]");
  await page.locator("label[for=rule-name] .field-error").waitFor();
  // A filter value the field's type cannot take is named beside its row, before any request.
  await page.fill("#rule-name", "Bad numbers");
  await page.click(".rule-filters button:text-is('Add filter')");
  await page.selectOption("#rule-filter-0-field", "latency_ms");
  await page.selectOption("#rule-filter-0-op", "gt");
  await page.fill("#rule-filter-0-value", "fast");
  let posted = 0;
  page.on("request", (r) => { if (r.method() === "POST" && r.url().endsWith("/api/v1/alert-rules")) posted++; });
  await page.click(".rule-form button[type=submit]");
  assert.equal(await page.locator("label[for=rule-filter-0-value] .field-error").textContent(), "Enter a number");
  assert.equal(await page.getAttribute("#rule-filter-0-value", "aria-invalid"), "true");
  assert.equal(posted, 0);
  await screenshot(page, "alert-rules-field-errors");
  // Removing the filter clears it.
  await page.click(".rule-filter-remove");
  assert.equal(await page.locator(".rule-filter").count(), 0);
  assert.equal(await page.locator(".rules-table strong:text-is('Bad numbers')").count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("an analyst sees the rules but no form and no actions", async () => {
  const page = await alertsPage("analyst@healthco.test");
  await row(page).waitFor();
  assert.match(await row(page).textContent(), /Count of rows above 0 over 60 min/);
  assert.equal(await page.locator(".rule-form").count(), 0);
  assert.equal(await page.locator(".rules-table button").count(), 0);
  assert.match(await page.locator(".alert-rules").textContent(), /manager role/);
  await screenshot(page, "alert-rules-analyst");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a manager edits, disables and deletes the rule", async () => {
  const page = await alertsPage("manager@healthco.test");
  await row(page).waitFor();
  // Edit fills the form; saving changes the rule in place.
  await row(page).locator("button:text-is('Edit')").click();
  assert.equal(await page.inputValue("#rule-name"), NAME);
  assert.equal(await page.inputValue("#rule-window"), "60");
  assert.equal(await page.inputValue("#rule-filter-0-value"), "VALID, UNKNOWN");
  await page.fill("#rule-window", "30");
  await page.click(".rule-form button[type=submit]");
  await row(page).locator(".muted", { hasText: "over 30 min" }).waitFor();
  // Disable keeps it, shown as disabled; Enable would bring it back.
  await row(page).locator("button:text-is('Disable')").click();
  await row(page).locator(".role-pill.off", { hasText: "Disabled" }).waitFor();
  assert.equal(await row(page).locator("button:text-is('Enable')").count(), 1);
  // Delete asks first; dismissing keeps the rule.
  page.once("dialog", (d) => d.dismiss());
  await row(page).locator("button:text-is('Delete')").click();
  assert.equal(await row(page).count(), 1);
  page.once("dialog", (d) => { assert.match(d.message(), new RegExp(NAME)); d.accept(); });
  await row(page).locator("button:text-is('Delete')").click();
  await row(page).waitFor({ state: "detached" });
  // The server agrees: a fresh page does not list it.
  await page.reload();
  await page.locator(".alert-rules .rules-table, .alert-rules .app-empty").first().waitFor();
  assert.equal(await row(page).count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
