// The host page's own script (no inline scripts: this page is served with a strict CSP).
//
// Embed tokens normally come from the host's backend. This demo plays that backend: it signs in
// as each tenant's manager and asks the Vantage API for a short-lived embed token bound to this
// page's origin. `fetchToken` is called again before the token expires.
import init, { EmbeddedDashboard } from "/pkg/index.js";

const base = location.origin;
const log = document.getElementById("event-log");

// The log's clock is built by hand: the first `toLocaleTimeString()` sets up the browser's
// locale data, which took 120–175 ms of the page's load on a throttled phone (BENCHMARKS.md,
// "Mobile profile") — for a debugging log.
const two = (n) => String(n).padStart(2, "0");
const clock = (d) => `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;

function note(source, event, detail) {
  const item = document.createElement("li");
  item.textContent = `${clock(new Date())} ${source} ${event} ${detail ? JSON.stringify(detail) : ""}`;
  log.prepend(item);
}

async function api(path, body, token) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(json.error?.message ?? response.statusText);
  return json;
}

function tokenFetcher(tenant, dashboardId) {
  return async () => {
    const login = await api("/auth/login", { email: `manager@${tenant}.test`, password: "vantage-demo" });
    const embed = await api("/embed/tokens", {
      dashboardId, permissions: ["view_dashboard", "export_data"], allowedOrigins: [base],
      lockedFilters: [], expiresIn: 900,
    }, login.accessToken);
    return embed.token;
  };
}

await init();

const embeds = {};
for (const tenant of ["healthco", "autoinsure"]) {
  const dash = new EmbeddedDashboard({
    baseUrl: base,
    dashboardId: `${tenant}-ai-quality`,
    fetchToken: tokenFetcher(tenant, `${tenant}-ai-quality`),
    live: "auto",
    // This page restyles the embed's own elements (host.css: `.host-embed .vt-root`), so it
    // keeps the light DOM instead of the default shadow root.
    shadow: false,
  });
  for (const event of ["ready", "rendered", "error", "filtersChanged", "dataClick", "liveStatus", "tokenRefreshed", "authExpired"]) {
    dash.on(event, (detail) => note(tenant, event, detail));
  }
  embeds[tenant] = dash;
}
window.vantageEmbeds = embeds; // for the end-to-end tests and for poking around in devtools

await Promise.all([
  embeds.healthco.render("#dash-healthco"),
  embeds.autoinsure.render(document.getElementById("dash-autoinsure")),
]);

const brand = { productName: "Acme", primaryColor: "#8a3b12", secondaryColor: "#c9a227", fontFamily: "Georgia, serif", mode: "light", chartPalette: ["#8a3b12", "#c9a227", "#3b6e58", "#5b4a8a"] };

async function download(dash, format, name) {
  try {
    const blob = await dash.exportData({ format });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${name}.${format}`;
    link.click();
    note(name, "export", { format, bytes: blob.size });
  } catch (error) {
    note(name, "export failed", { format, message: error.message });
  }
}

document.querySelector(".host-controls").addEventListener("click", async (event) => {
  const action = event.target.closest("button")?.dataset.action;
  if (!action) return;
  for (const [name, dash] of Object.entries(embeds)) {
    try {
      if (action === "filter-billing") await dash.setFilters([{ field: "intent", op: "eq", value: "billing" }]);
      if (action === "filter-clear") await dash.setFilters([]);
      if (action === "theme-light") dash.setTheme("light");
      if (action === "theme-dark") dash.setTheme("dark");
      if (action === "theme-brand") dash.setTheme(brand);
      if (action.startsWith("export-")) await download(dash, action.slice(7), name);
    } catch (error) {
      note(name, "host action failed", { action, message: error.message });
    }
  }
});
