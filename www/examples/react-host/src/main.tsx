// A React 19 host under StrictMode. vite.config.ts bundles React's development build, so
// StrictMode really mounts, unmounts and mounts every effect again, as in `vite dev`.
import { StrictMode, useCallback, useEffect, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import type { EmbeddedDashboard, LiveStatusEvent, ReadyEvent } from "vantage-embed";
import { VantageDashboard } from "vantage-embed/react";
import { echarts } from "./echarts";
import { fetchToken } from "./token";

const DASHBOARDS = ["healthco-ai-quality", "healthco-latency"] as const;

function App() {
  const [dashboardId, setDashboardId] = useState<string>(DASHBOARDS[0]);
  // `?start=unmounted` starts without the dashboard (the e2e test counts listeners first).
  const [shown, setShown] = useState(new URLSearchParams(location.search).get("start") !== "unmounted");
  const [status, setStatus] = useState("loading…");
  const dash = useRef<EmbeddedDashboard | null>(null);
  (window as unknown as { reactHost: unknown }).reactHost = { dash, echarts };
  const token = useCallback(() => fetchToken(dashboardId), [dashboardId]);
  // Counts effect mounts: 2 under StrictMode in React's development build (the e2e test checks).
  useEffect(() => {
    const w = window as unknown as { appEffectRuns?: number };
    w.appEffectRuns = (w.appEffectRuns ?? 0) + 1;
  }, []);

  return (
    <main>
      <header>
        <h1>React host</h1>
        {DASHBOARDS.map((id) => (
          <button key={id} onClick={() => setDashboardId(id)} aria-pressed={id === dashboardId}>{id}</button>
        ))}
        <button onClick={() => setShown((s) => !s)}>{shown ? "Unmount" : "Mount"}</button>
      </header>
      <p id="status">{status}</p>
      {shown && (
        <VantageDashboard
          ref={dash}
          id="analytics"
          style={{ minHeight: 600 }}
          baseUrl={location.origin}
          dashboardId={dashboardId}
          fetchToken={token}
          echarts={echarts}
          onReady={(e: ReadyEvent) => setStatus(`${e.name}: ${e.widgets.length} widgets`)}
          onRendered={() => { document.body.dataset.rendered = dashboardId; }}
          onLiveStatus={(e: LiveStatusEvent) => { document.body.dataset.live = e.status; }}
          onDataClick={(e) => console.info("clicked", e.widgetId, e.name)}
          onError={(e) => setStatus(`${e.code}: ${e.message}`)}
        />
      )}
    </main>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
