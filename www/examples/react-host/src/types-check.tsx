// Compile-time checks of vantage-embed/react (never bundled: `tsc --noEmit` only). Each
// `@ts-expect-error` line must fail to type-check, or tsc reports the directive as unused.
import { useRef } from "react";
import type { EmbeddedDashboard } from "vantage-embed";
import { VantageDashboard } from "vantage-embed/react";

export function Checks() {
  const ref = useRef<EmbeddedDashboard | null>(null);
  return (
    <>
      <VantageDashboard ref={ref} baseUrl="https://a.example" dashboardId="d" token="t"
        onDataClick={(e) => e.preventDefault()} onLiveStatus={(e) => e.status} theme={{ primaryColor: "#112233" }} />
      {/* @ts-expect-error: baseUrl is required */}
      <VantageDashboard dashboardId="d" token="t" />
      {/* @ts-expect-error: live is auto | websocket | sse | off */}
      <VantageDashboard baseUrl="b" token="t" live="sometimes" />
      {/* The custom element, typed in JSX by importing vantage-embed/react. */}
      <vantage-dashboard base-url="https://a.example" dashboard-id="d" theme="dark" live="auto" />
      {/* @ts-expect-error: theme attribute is light | dark | system */}
      <vantage-dashboard base-url="b" theme="purple" />
    </>
  );
}
