// A bundled host app: vantage-embed from npm (here the tarball `npm pack` makes of pkg/) and
// a trimmed ECharts built from `echarts/core` with only what Vantage's widgets draw.
import * as echarts from "echarts/core";
import { BarChart, GaugeChart, HeatmapChart, LineChart, PieChart, ScatterChart } from "echarts/charts";
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { LegacyGridContainLabel } from "echarts/features";
import { CanvasRenderer } from "echarts/renderers";
import "./style.css";
import {
  EmbeddedDashboard,
  type DataClickEvent,
  type EmbedConfig,
  type EmbedState,
  type Filter,
  type LiveStatusEvent,
  type ReadyEvent,
} from "vantage-embed";

echarts.use([
  LineChart, BarChart, PieChart, ScatterChart, HeatmapChart, GaugeChart,
  GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, AriaComponent,
  // Widgets lay the grid out with `containLabel`, which ECharts 6 keeps as this feature.
  LegacyGridContainLabel,
  CanvasRenderer,
]);

const status = document.getElementById("status") as HTMLParagraphElement;

/**
 * Plays the host's backend for the demo: signs in as a tenant manager and mints a short-lived
 * embed token for this page's origin. A real host calls its own backend instead.
 */
async function fetchToken(): Promise<string> {
  const post = async (path: string, body: unknown, token?: string): Promise<Record<string, string>> => {
    const response = await fetch(`${location.origin}/api/v1${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  };
  const login = await post("/auth/login", { email: "manager@healthco.test", password: "vantage-demo" });
  const embed = await post("/embed/tokens", {
    dashboardId: "healthco-ai-quality",
    permissions: ["view_dashboard", "export_data"],
    allowedOrigins: [location.origin],
    lockedFilters: [],
    expiresIn: 900,
  }, login.accessToken);
  return embed.token;
}

async function main(): Promise<void> {
  // No init(): the package instantiates its wasm on first import.
  const config: EmbedConfig = {
    baseUrl: location.origin,
    dashboardId: "healthco-ai-quality",
    fetchToken,
    live: "auto",
    echarts,
  };
  const dash = new EmbeddedDashboard(config);
  dash.on("ready", (e: ReadyEvent) => { status.textContent = `${e.name}: ${e.widgets.length} widgets`; });
  dash.on("rendered", () => { document.body.dataset.rendered = "true"; });
  dash.on("liveStatus", (e: LiveStatusEvent) => { document.body.dataset.live = e.status; });
  dash.on("dataClick", (e: DataClickEvent) => { console.info("clicked", e.widgetId, e.name, e.value); });
  dash.on("error", (e) => { status.textContent = `${e.code}: ${e.message}`; });
  await dash.render("#analytics");

  const billing: Filter = { field: "intent", op: "eq", value: "billing" };
  const state: EmbedState = dash.getState();
  (window as unknown as { vantage: unknown }).vantage = { dash, billing, state };
}

main().catch((error: unknown) => {
  status.textContent = error instanceof Error ? error.message : String(error);
});
