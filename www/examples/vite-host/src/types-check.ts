// Compile-time checks of the package's TypeScript API (never bundled: `tsc --noEmit` only).
// Each `@ts-expect-error` line must fail to type-check, or tsc reports the directive as unused.
import {
  EmbeddedDashboard,
  type Branding,
  type DataClickEvent,
  type EmbedEventMap,
  type ExportedTable,
  type FilterOp,
  type ReadyEvent,
} from "vantage-embed";

export async function checks(dash: EmbeddedDashboard): Promise<void> {
  const brand: Branding = { primaryColor: "#8a3b12", mode: "dark", chartPalette: ["#111"] };
  dash.setTheme(brand);
  dash.setTheme("system");
  // @ts-expect-error: not a theme name
  dash.setTheme("purple");
  // @ts-expect-error: mode is light | dark | system
  dash.setTheme({ mode: "sepia" });

  // @ts-expect-error: baseUrl is required
  new EmbeddedDashboard({ dashboardId: "d", token: "t" });
  // @ts-expect-error: live is auto | websocket | sse | off
  new EmbeddedDashboard({ baseUrl: "https://x", dashboardId: "d", token: "t", live: "poll" });
  // @ts-expect-error: fetchToken returns a Promise<string>
  new EmbeddedDashboard({ baseUrl: "https://x", dashboardId: "d", fetchToken: () => 5 });

  dash.on("dataClick", (e: DataClickEvent) => e.preventDefault());
  dash.on("ready", (e) => e.widgets.map((id: string) => id.length));
  // @ts-expect-error: a ready handler does not get a DataClickEvent
  dash.on("ready", (e: DataClickEvent) => e.preventDefault());
  // @ts-expect-error: unknown event
  dash.on("clicked", () => {});
  const handler = (e: EmbedEventMap["liveStatus"]) => e.status === "open";
  dash.on("liveStatus", handler);
  dash.off("liveStatus", handler);

  const ops: FilterOp[] = [{ op: "remove", field: "intent" }, { op: "clear" }];
  await dash.setFilters(ops);
  await dash.setFilters([{ field: "intent", op: "in", values: ["billing", "claims"] }]);
  // @ts-expect-error: not a filter operator
  await dash.setFilters([{ field: "intent", op: "like", value: "b" }]);

  const blob: Blob = await dash.exportData({ format: "xlsx" });
  // @ts-expect-error: pdf is not an export format
  await dash.exportData({ format: "pdf" });
  const table = JSON.parse(await (await dash.exportData({ format: "json", widgetId: "w" })).text()) as ExportedTable;
  table.columns.map((c) => c.type === "timestamp");
  await dash.exportImage({ widgetId: "w", format: "png" });
  // @ts-expect-error: exportImage needs a widgetId
  await dash.exportImage({ format: "png" });

  const state = dash.getState();
  await dash.setState({ ...state, timeRange: { preset: "last24h" } });
  // @ts-expect-error: not a preset
  await dash.setState({ timeRange: { preset: "yesterday" } });
  await dash.render(document.body);
  const element = document.createElement("vantage-dashboard");
  element.token = "t";
  const ready: ReadyEvent | null = null;
  void [blob, ready, element.dashboard?.getFilters()];
}
