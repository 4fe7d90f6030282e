// vantage-embed/react: <VantageDashboard>, a React component around EmbeddedDashboard.
// Copied into the package by `cargo xtask` (xtask/src/artifacts/npm.rs).
//
// Importing this module touches no DOM and loads no wasm (safe in a Next.js server component's
// import graph and during SSR): the package entry is imported on first mount, inside an effect.
// The embed is created in an effect and destroyed in its cleanup, so React 19 StrictMode's
// mount → unmount → mount leaves exactly one embed (the first one is never created, or is
// destroyed before it renders).
import { createElement, forwardRef, useEffect, useImperativeHandle, useRef, useState } from "react";

/** Callback prop → embed event. */
const EVENTS = {
  onReady: "ready",
  onRendered: "rendered",
  onError: "error",
  onFiltersChanged: "filtersChanged",
  onDataClick: "dataClick",
  onLiveStatus: "liveStatus",
  onTokenRefreshed: "tokenRefreshed",
  onAuthExpired: "authExpired",
};

let entry;
const loadEntry = () => (entry ??= import("./index.js"));

/** A stable key for props that hosts often pass as fresh objects (theme, filters). */
const keyOf = (value) => (value === undefined ? "" : JSON.stringify(value));

const reportError = (props, error) => {
  if (error?.code === "destroyed") return;
  props.onError?.({ code: error?.code ?? "config", message: String(error?.message ?? error), field: error?.field });
};

function configFrom(props) {
  const config = {};
  for (const name of ["baseUrl", "dashboardId", "widgetId", "theme", "filters", "locale", "timeZone", "live", "echarts", "clickBehavior", "shadow"]) {
    if (props[name] !== undefined) config[name] = props[name];
  }
  return config;
}

export const VantageDashboard = forwardRef(function VantageDashboard(props, ref) {
  const { baseUrl, dashboardId, widgetId, token, live, clickBehavior, echarts, shadow, timeZone } = props;
  const container = useRef(null);
  // The latest props, read by the embed's event handlers and fetchToken: changing a callback
  // never re-creates the embed.
  const latest = useRef(props);
  latest.current = props;
  // What the current embed was given, so theme/filters/locale changes are applied live.
  const applied = useRef({});
  const [dash, setDash] = useState(null);
  useImperativeHandle(ref, () => dash, [dash]);

  // Effect: owns the embed. Options that identify what is shown re-create it.
  useEffect(() => {
    let cancelled = false;
    let created = null;
    loadEntry()
      .then(({ EmbeddedDashboard }) => {
        if (cancelled || !container.current) return;
        const current = latest.current;
        const config = configFrom(current);
        if (token !== undefined) config.token = token;
        else config.fetchToken = () => latest.current.fetchToken();
        created = new EmbeddedDashboard(config);
        applied.current = { theme: keyOf(current.theme), filters: keyOf(current.filters), locale: current.locale };
        for (const [prop, name] of Object.entries(EVENTS)) created.on(name, (event) => latest.current[prop]?.(event));
        setDash(created);
        // A failed load is also the embed's `error` event (forwarded above).
        created.render(container.current).catch(() => {});
      })
      .catch((error) => reportError(latest.current, error));
    return () => {
      cancelled = true;
      if (created) {
        created.destroy();
        setDash(null);
      }
    };
  }, [baseUrl, dashboardId, widgetId, token, live, clickBehavior, echarts, shadow, timeZone]);

  const themeKey = keyOf(props.theme);
  const filtersKey = keyOf(props.filters);
  // Effect: applies theme, filters and locale changes to the live embed without reloading it.
  useEffect(() => {
    if (!dash) return;
    const current = latest.current;
    if (themeKey !== applied.current.theme && current.theme !== undefined) {
      applied.current.theme = themeKey;
      try { dash.setTheme(current.theme); } catch (error) { reportError(current, error); }
    }
    if (filtersKey !== applied.current.filters) {
      applied.current.filters = filtersKey;
      dash.setFilters(current.filters ?? []).catch((error) => reportError(latest.current, error));
    }
    if (current.locale !== applied.current.locale && current.locale !== undefined) {
      applied.current.locale = current.locale;
      dash.setLocale(current.locale);
    }
  }, [dash, themeKey, filtersKey, props.locale]);

  return createElement("div", { ref: container, id: props.id, className: props.className, style: props.style });
});
