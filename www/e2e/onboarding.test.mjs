// Running Vantage for real: a server started WITHOUT --demo on an empty database, driven only
// through the app. Setup from the printed URL → a tenant → an invited tenant admin (second browser
// context) → their dashboard → the system admin reads it all in the tenant's audit log; plus the
// users page rules, password reset and change, and screenshots of each page (desktop and phone).
//
// This file starts its own server (a free port, a temporary database) and removes both at the end.
// `cargo xtask test` passes the binary and the folders it serves in VANTAGE_E2E_*; run alone, they
// default to the build in $CARGO_TARGET_DIR (or target/).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ARTIFACTS, axeViolations, launch, screenshot } from "./harness.mjs";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const TARGET = resolve(REPO, process.env.CARGO_TARGET_DIR ?? "target");
const SERVER_BIN = process.env.VANTAGE_E2E_SERVER_BIN ?? join(TARGET, "debug/vantage-server");
const APP_DIR = process.env.VANTAGE_E2E_APP_DIR ?? join(TARGET, "www/app");
const PKG_DIR = process.env.VANTAGE_E2E_PKG_DIR ?? join(REPO, "pkg");
const ECHARTS_DIR = process.env.VANTAGE_E2E_ECHARTS_DIR ?? join(TARGET, "www/vendor/echarts");

const DESKTOP = { width: 1400, height: 900 };
const PHONE = { width: 375, height: 800 };
const ADMIN = { email: "ops@northwind.test", password: "Northwind ops 2026!" };
const LEAD = { email: "lead@acme.test", name: "Lee Lead", password: "Acme lead passphrase 7" };
const VIEWER = { email: "vic@acme.test", name: "Vic Viewer", password: "Vic reads dashboards 3" };

let server;
let tmp;
let browser;
let BASE;
let setupUrl;

/** Starts the server without --demo and resolves with its URL and printed setup URL. */
function startServer() {
  tmp = mkdtempSync(join(tmpdir(), "vantage-onboarding-"));
  // Only the options given here: nothing from the caller's VANTAGE_* settings (e.g. VANTAGE_DEMO).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VANTAGE_")));
  // Outside --demo the server requires a signing secret; this one is made as the README says.
  const secretFile = join(tmp, "jwt-secret");
  writeFileSync(secretFile, randomBytes(48).toString("hex"), { mode: 0o600 });
  server = spawn(SERVER_BIN, [
    "--jwt-secret-file", secretFile,
    "--db", join(tmp, "vantage.db"), "--addr", "127.0.0.1:0", "--www", join(REPO, "www"),
    "--app-dir", APP_DIR, "--pkg-dir", PKG_DIR, "--echarts-dir", ECHARTS_DIR,
    "--parent-pid", String(process.pid),
  ], { env, stdio: ["ignore", "pipe", "pipe"] });
  // The server's request log, for when this test fails.
  server.stderr.pipe(createWriteStream(join(ARTIFACTS, "onboarding-server.log")));
  return new Promise((resolveUrls, reject) => {
    let out = "";
    let base;
    const timer = setTimeout(() => reject(new Error(`no setup URL within 120 s; stdout: ${out}`)), 120_000);
    server.on("exit", (code) => reject(new Error(`the server exited (${code}); stdout: ${out}`)));
    server.stdout.on("data", (chunk) => {
      out += chunk;
      base ??= out.match(/vantage-server listening on (\S+)/)?.[1];
      const setup = out.match(/open (\S+\/setup\?token=\S+)/)?.[1];
      if (base && setup) {
        clearTimeout(timer);
        resolveUrls({ base, setup });
      }
    });
  });
}

before(async () => {
  ({ base: BASE, setup: setupUrl } = await startServer());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (server.exitCode === null) server.kill("SIGKILL");
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function newPage(viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  return page;
}

/** Screenshots `path` on a phone-sized viewport too, checking nothing scrolls sideways. */
async function phoneShot(page, path, name, ready) {
  await page.setViewportSize(PHONE);
  await page.goto(`${BASE}${path}`);
  await page.locator(ready).first().waitFor();
  await page.waitForTimeout(300);
  await screenshot(page, `${name}-phone`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${path} on a phone scrolls sideways by ${overflow}px`);
  await page.setViewportSize(DESKTOP);
}

const row = (page, email) => page.locator(`tr[data-user-email='${email}']`);

// Accessibility: the pages only this server shows (setup, tenants, invitation and reset links),
// audited by axe-core in the states the walk leaves them in (field errors and hints included);
// the other pages are audited by a11y.test.mjs.
const axeFound = [];
async function audit(page, what) {
  axeFound.push(...(await axeViolations(page)).map((v) => `${what}: ${v}`));
}

test("from an empty server to a tenant with users, a dashboard and an audit trail, in the app only", async () => {
  // Before setup, signing in is pointless: the login page sends to /setup, which asks for the token.
  const admin = await newPage();
  await admin.goto(`${BASE}/login`);
  await admin.waitForURL(/\/setup$/);
  await admin.locator(".notice:has-text('setup URL')").waitFor();

  // Setup from the printed URL, with the password rule checked as it is typed.
  assert.match(setupUrl, new RegExp(`^${BASE}/setup\\?token=`));
  await admin.goto(setupUrl);
  await admin.locator("input[name=organisationName]").waitFor();
  assert.equal(await admin.locator("input[name=token]").count(), 0, "the token comes from the URL");
  await admin.fill("input[name=organisationName]", "Northwind");
  await admin.fill("input[name=name]", "Olivia Ops");
  await admin.fill("input[name=email]", ADMIN.email);
  await admin.fill("input[name=password]", "password1234");
  const hint = admin.locator(".password-hint");
  assert.equal(await hint.getAttribute("data-ok"), "false");
  assert.match(await hint.textContent(), /too easy to guess/);
  await admin.click("button[type=submit]");
  assert.match(await admin.locator("small.field-error").first().textContent(), /too easy to guess/);
  await admin.fill("input[name=password]", ADMIN.password);
  assert.equal(await hint.getAttribute("data-ok"), "true");
  await screenshot(admin, "onboarding-setup-desktop");
  await audit(admin, "/setup (a refused password, then a good one)");
  const phoneSetup = await newPage(PHONE);
  await phoneSetup.goto(setupUrl);
  await phoneSetup.locator("input[name=organisationName]").waitFor();
  await screenshot(phoneSetup, "onboarding-setup-phone");
  await phoneSetup.context().close();
  await admin.click("button[type=submit]");

  // Signed in as the system admin, on the tenants page.
  await admin.waitForURL(/\/tenants$/);
  await admin.locator("tr[data-tenant-id=northwind]").waitFor();
  assert.deepEqual(
    (await admin.locator(".app-nav a").allTextContents()).map((t) => t.trim()),
    ["Dashboards", "Alerts", "Embed", "Import", "Branding", "Users", "Audit", "Tenants"],
  );

  // The setup link is spent: a new visitor is sent to sign in.
  const late = await newPage();
  await late.goto(setupUrl);
  await late.waitForURL(/\/login$/);
  await late.context().close();

  // Tenants: a bad id is refused inline, then create, rename, deactivate and reactivate.
  await admin.fill("input[name=tenant-name]", "Acme");
  await admin.fill("input[name=tenant-id]", "9-bad");
  await admin.click("button:has-text('Create tenant')");
  assert.match(await admin.locator(".inline-form .field-error").textContent(), /starting with a letter/);
  await admin.fill("input[name=tenant-id]", "");
  await admin.click("button:has-text('Create tenant')");
  const acme = admin.locator("tr[data-tenant-id=acme]");
  await acme.waitFor();
  await acme.locator("button:has-text('Rename')").click();
  await acme.locator("input[name=rename]").fill("Acme Health");
  await acme.locator("button:has-text('Save')").click();
  await acme.locator("strong:has-text('Acme Health')").waitFor();
  admin.once("dialog", (d) => d.accept());
  await acme.locator("button:has-text('Deactivate')").click();
  await acme.locator(".role-pill:has-text('Deactivated')").waitFor();
  admin.once("dialog", (d) => d.accept());
  await acme.locator("button:has-text('Reactivate')").click();
  await acme.locator(".role-pill:has-text('Active')").waitFor();
  assert.deepEqual(await acme.locator("td.num").allTextContents(), ["0", "0"]);
  await screenshot(admin, "onboarding-tenants-desktop");
  await audit(admin, "/tenants");

  // Users of Acme (the system admin acts in it with X-Tenant-Id): invite its first tenant admin.
  await acme.locator("a:has-text('Users')").click();
  await admin.waitForURL(/\/users\?tenant=acme$/);
  assert.equal(await admin.locator("select[name=tenant]").inputValue(), "acme");
  await admin.locator(".app-empty:has-text('invite someone')").waitFor();
  await admin.fill("input[name=invite-email]", "not-an-email");
  await admin.click("button:has-text('Create invitation link')");
  assert.match(await admin.locator(".inline-form .field-error").textContent(), /email address/);
  await admin.fill("input[name=invite-email]", LEAD.email);
  await admin.selectOption("select[name=invite-role]", "tenant_admin");
  await admin.click("button:has-text('Create invitation link')");
  const invitation = await admin.locator(".link-box input[name=issued-link]").inputValue();
  assert.match(invitation, new RegExp(`^${BASE}/accept-invitation\\?token=.+`));
  assert.match(await admin.locator(".link-box").textContent(), /works once, until/);
  await screenshot(admin, "onboarding-users-invited-desktop");
  await audit(admin, "/users?tenant=acme (an invitation link issued)");

  // The invitee accepts in a second browser context and is signed in.
  const lead = await newPage();
  await lead.goto(invitation);
  await lead.fill("input[name=name]", LEAD.name);
  await lead.fill("input[name=password]", LEAD.password);
  await screenshot(lead, "onboarding-accept-invitation-desktop");
  await audit(lead, "/accept-invitation");
  await lead.click("button:has-text('Create account')");
  await lead.waitForURL(`${BASE}/`);
  await lead.locator(`a.app-user:has-text('${LEAD.name}')`).waitFor();
  // A spent invitation link says so.
  const again = await newPage();
  await again.goto(invitation);
  await again.fill("input[name=name]", "Someone else");
  await again.fill("input[name=password]", "Another good passphrase 9");
  await again.click("button:has-text('Create account')");
  assert.match(await again.locator(".form-error").textContent(), /invalid, already used or expired/);
  await again.context().close();

  // Tenant admins edit dashboards (the contract's matrix: managers do not); Lee creates one.
  await lead.goto(`${BASE}/builder/new`);
  await lead.fill("input[name=dashboard-name]", "Acme operations");
  await lead.click(".builder-toolbar button:has-text('Save')");
  await lead.locator(".builder-status:has-text('All changes saved')").waitFor({ timeout: 15000 });
  await lead.waitForURL(/\/dashboards\/[^/]+\/edit$/);

  // The system admin sees Lee as Acme's only tenant admin: not demotable, not deactivatable.
  await admin.reload();
  const leadRow = row(admin, LEAD.email);
  await leadRow.waitFor();
  assert.match(await leadRow.locator(".reason").textContent(), /last active tenant admin/);
  assert.equal(await leadRow.locator("button:has-text('Deactivate')").isDisabled(), true);

  // Lee invites a viewer, who joins; Lee makes them an analyst and issues a password reset.
  await lead.goto(`${BASE}/users`);
  await lead.fill("input[name=invite-email]", VIEWER.email);
  await lead.click("button:has-text('Create invitation link')");
  const viewerInvite = await lead.locator(".link-box input[name=issued-link]").inputValue();
  const vic = await newPage();
  await vic.goto(viewerInvite);
  await vic.fill("input[name=name]", VIEWER.name);
  await vic.fill("input[name=password]", VIEWER.password);
  await vic.click("button:has-text('Create account')");
  await vic.waitForURL(`${BASE}/`);
  await vic.locator(`a.app-user:has-text('${VIEWER.name}')`).waitFor();
  assert.equal(await vic.locator(".app-nav a:has-text('Users')").count(), 0, "a viewer manages nobody");
  await lead.reload();
  assert.match(await row(lead, LEAD.email).locator(".reason").textContent(), /your own role/);
  const vicRow = row(lead, VIEWER.email);
  await vicRow.locator("select[name=role]").selectOption("analyst");
  await lead.waitForFunction((email) => document.querySelector(`tr[data-user-email='${email}'] select[name=role]`)?.value === "analyst", VIEWER.email);
  await vicRow.locator("button:has-text('Password reset link')").click();
  const reset = await lead.locator(".link-box input[name=issued-link]").inputValue();
  assert.match(reset, new RegExp(`^${BASE}/reset-password\\?token=.+`));
  await screenshot(lead, "onboarding-users-desktop");

  // Vic sets a new password from the link and signs in with it.
  await vic.goto(reset);
  await vic.fill("input[name=password]", "Vic got a new passphrase 4");
  await screenshot(vic, "onboarding-reset-password-desktop");
  await audit(vic, "/reset-password");
  await vic.click("button:has-text('Set password')");
  await vic.locator(".notice:has-text('every session of your account was signed out')").waitFor();
  await vic.goto(`${BASE}/login`);
  await vic.fill("input[name=email]", VIEWER.email);
  await vic.fill("input[name=password]", "Vic got a new passphrase 4");
  await vic.click("button[type=submit]");
  await vic.waitForURL(`${BASE}/`);
  await vic.context().close();

  // Lee changes their own password: the current one is required.
  await lead.goto(`${BASE}/account`);
  await lead.fill("input[name=currentPassword]", "not my password at all");
  await lead.fill("input[name=newPassword]", "Lee rotates passphrases 8");
  await lead.click("button:has-text('Change password')");
  assert.match(await lead.locator(".account-form .field-error").textContent(), /not your current password/);
  await lead.fill("input[name=currentPassword]", LEAD.password);
  await lead.click("button:has-text('Change password')");
  await lead.locator(".notice:has-text('other session')").waitFor();
  await screenshot(lead, "onboarding-account-desktop");

  // The system admin reads Acme's audit log: Lee's actions are there, filterable and exportable.
  await admin.goto(`${BASE}/audit?tenant=acme`);
  const entries = admin.locator(".audit-table tbody tr");
  await entries.first().waitFor();
  const actions = await entries.evaluateAll((rows) => rows.map((r) => r.dataset.action));
  for (const a of ["tenant_created", "tenant_renamed", "user_invited", "invitation_accepted", "dashboard_created",
    "user_role_changed", "password_reset_issued", "password_reset_completed", "password_changed"]) {
    assert.ok(actions.includes(a), `audit log has ${a}: ${actions}`);
  }
  await admin.selectOption("select[name=action]", "dashboard_created");
  await admin.fill("input[name=actor]", LEAD.email);
  await admin.click("button:has-text('Filter')");
  await admin.waitForFunction(() => {
    const rows = [...document.querySelectorAll(".audit-table tbody tr")];
    return rows.length > 0 && rows.every((r) => r.dataset.action === "dashboard_created");
  });
  const created = entries.first();
  assert.match(await created.textContent(), /lead@acme\.test/);
  assert.match(await created.textContent(), /Acme operations/);
  const [download] = await Promise.all([admin.waitForEvent("download"), admin.click("button:has-text('Download CSV')")]);
  assert.equal(download.suggestedFilename(), "audit-acme.csv");
  const csv = readFileSync(await download.path(), "utf8");
  assert.match(csv, /^id,time,action,actorId,actorEmail,target,details\r\n/);
  assert.match(csv, /dashboard_created,[^,]*,lead@acme\.test/);
  assert.equal(csv.trim().split("\r\n").length, 2, "the export has the filters of the page");
  await screenshot(admin, "onboarding-audit-desktop");
  await audit(admin, "/audit?tenant=acme (filtered)");
  assert.deepEqual(axeFound, [], `axe found:\n${axeFound.join("\n")}`);

  // Every page on a phone.
  await phoneShot(admin, "/tenants", "onboarding-tenants", "tr[data-tenant-id=acme]");
  await phoneShot(admin, "/users?tenant=acme", "onboarding-users", `tr[data-user-email='${LEAD.email}']`);
  await phoneShot(admin, "/audit?tenant=acme", "onboarding-audit", ".audit-table tbody tr");
  await phoneShot(admin, "/account", "onboarding-account", "input[name=currentPassword]");
  await phoneShot(lead, "/accept-invitation?token=spent", "onboarding-accept-invitation", "input[name=name]");
  await phoneShot(lead, "/reset-password?token=spent", "onboarding-reset-password", "input[name=password]");

  for (const page of [admin, lead]) assert.deepEqual(page.errors, []);
  await admin.context().close();
  await lead.context().close();
});
