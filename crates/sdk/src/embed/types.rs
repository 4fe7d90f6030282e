//! Hand-written TypeScript declarations for the `vantage-embed` package.
//!
//! wasm-bindgen types every `JsValue` parameter as `any`; the methods in `mod.rs` name these
//! types with `unchecked_param_type` / `unchecked_return_type`, and `on`/`off` are declared here
//! as per-event overloads (merged into the generated `EmbeddedDashboard` class declaration).
//! The types mirror what `config.rs` accepts and what `mod.rs` emits; keep them in step (the Vite
//! example in `www/examples/vite-host` type-checks against them in `cargo xtask test`).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r##"
/** A CSS colour `"#rgb"` or `"#rrggbb"`. */
export type HexColor = string;

/** A white-label brand; omitted fields take the Vantage defaults. */
export interface Branding {
  /** 1–40 characters. */
  productName?: string;
  /** `https://…` or `data:image/…`. */
  logoUrl?: string;
  /** `https://…` or `data:image/…`. */
  faviconUrl?: string;
  primaryColor?: HexColor;
  secondaryColor?: HexColor;
  /** Letters, digits, spaces, `-`, `_`, `,`, `'` and `"` only. */
  fontFamily?: string;
  mode?: "light" | "dark" | "system";
  /** Series colours; empty means the default palette. */
  chartPalette?: HexColor[];
}

/** `"system"` follows the viewer's `prefers-color-scheme`. */
export type ThemeName = "light" | "dark" | "system";
export type Theme = ThemeName | Branding;

export type FilterOperator =
  | "eq" | "neq" | "in" | "not_in" | "gt" | "gte" | "lt" | "lte" | "between" | "contains";
export type FilterValue = string | number | boolean | null;

/**
 * One filter. `eq/neq/gt/gte/lt/lte/contains` take `value`; `in/not_in` take `values`;
 * `between` takes `values: [low, high]` (inclusive).
 */
export interface Filter {
  field: string;
  op: FilterOperator;
  value?: FilterValue;
  values?: FilterValue[];
}

/** An incremental change for `setFilters` (instead of a whole `Filter[]`). */
export type FilterOp =
  | { op: "set"; filter: Filter }
  | { op: "remove"; field: string }
  | { op: "clear" };

export type TimePreset = "last15m" | "last1h" | "last24h" | "last7d" | "last30d";
/** Either `{ preset }` or `{ from, to }` (epoch ms, `from` inclusive, `to` exclusive). */
export interface TimeRange {
  preset?: TimePreset;
  from?: number;
  to?: number;
}

/**
 * A cross-filter: what a click on widget `widgetId` selected. It filters every other widget
 * whose dataset has the field (the others show "not filtered by …"). `filters` are equality
 * filters on the clicked values; `timeWindow` (`{ from, to }`) is a clicked time bucket.
 */
export interface CrossFilter {
  widgetId: string;
  filters?: Filter[];
  timeWindow?: { from: number; to: number };
}

/** Filters, time range and cross-filters, for deep links: `getState()` → URL → `setState()`. */
export interface EmbedState {
  filters?: Filter[];
  timeRange?: TimeRange | null;
  crossFilters?: CrossFilter[];
}

/** What a click on a chart datum or table row does after `dataClick` (default `"crossFilter"`). */
export type ClickBehavior = "crossFilter" | "none";

export type LiveMode = "auto" | "websocket" | "sse" | "off";

/**
 * The ECharts namespace: `globalThis.echarts` from the dist build, or `echarts/core` with the
 * charts and components listed in the package README registered through `echarts.use`.
 */
export interface EChartsModule {
  init(dom: HTMLElement, theme?: any, opts?: any): any;
  getInstanceByDom(dom: HTMLElement): any;
  registerTheme(name: string, theme: object): void;
}

export interface EmbedConfig {
  /** The Vantage backend origin, e.g. `"https://analytics.example.com"` (required). */
  baseUrl: string;
  /** The dashboard to show; required unless `widgetId` is given with an embed token. */
  dashboardId?: string;
  /** Show only this widget of the dashboard. */
  widgetId?: string;
  /** A fixed token; give this or `fetchToken`. */
  token?: string;
  /** Called for a token at start and again before it expires. */
  fetchToken?: () => Promise<string>;
  /** Omitted: the embed token's tenant brand (light for a user token). */
  theme?: Theme;
  /** Initial viewer filters. */
  filters?: Filter[];
  /**
   * A BCP 47 tag such as `"de-DE"` (default: the browser's): the root's `lang`, number and date
   * formats (through `Intl`) and the UI text's language (en, de, fr, es, ja; else English).
   * Page-wide: several embeds on one page share the last locale set.
   */
  locale?: string;
  /**
   * An IANA time zone such as `"Europe/Berlin"`: sent with every data request, so the server
   * computes day/week/month buckets and `today` in it (default UTC), and times are shown in it.
   * An unknown zone is a `timeZone` config error.
   */
  timeZone?: string;
  /** Default `"auto"`: WebSocket with SSE fallback. */
  live?: LiveMode;
  /** Default `globalThis.echarts`. */
  echarts?: EChartsModule;
  /**
   * Default `"crossFilter"`: a click filters the other widgets on the clicked value (a second
   * click clears it). `"none"`: only the `dataClick` event. Any other value is a config error.
   */
  clickBehavior?: ClickBehavior;
  /**
   * Default `true`: the embed renders inside a shadow root, so the host page's CSS cannot
   * restyle it and its CSS cannot leak out; adjust it with `::part()` and `--vt-*` custom
   * properties. `false` keeps the light DOM (the host's CSS applies to the embed's elements).
   */
  shadow?: boolean;
}

export type ExportFormat = "csv" | "json" | "xlsx";

export interface ExportDataOptions {
  /** One widget; omitted: every widget (CSV sections, a JSON object by id, one XLSX sheet each). */
  widgetId?: string;
  /** Default `"csv"`. */
  format?: ExportFormat;
  /** CSV only: prefix a UTF-8 byte-order mark (helps Excel detect UTF-8). */
  bom?: boolean;
}

export interface ExportImageOptions {
  widgetId: string;
  /** Default `"png"` (2× pixel ratio). `"svg"` needs ECharts' SVGRenderer (in the dist build). */
  format?: "png" | "svg";
}

export type ColumnType = "string" | "integer" | "float" | "timestamp" | "boolean";
/** The shape of a JSON export for one widget (timestamps are epoch ms). */
export interface ExportedTable {
  columns: { name: string; type: ColumnType }[];
  rows: (string | number | boolean | null)[][];
}

/** `ready`: the dashboard definition is loaded. */
export interface ReadyEvent {
  dashboardId: string;
  name: string;
  /** Widget ids in layout order. */
  widgets: string[];
}
/**
 * `rendered`: every widget has its data and every chart in or near the view is drawn. A chart
 * further than half a viewport from the view is drawn when it comes that near (or at once for
 * `exportImage` and printing).
 */
export interface RenderedEvent {}
/** `error`: a backend or configuration error; the affected widgets show an error state. */
export interface EmbedErrorEvent {
  code: string;
  message: string;
  widgetId?: string;
}
export interface FiltersChangedEvent {
  /** The filters in effect, locked ones first. */
  filters: Filter[];
  /** The active cross-filters. */
  crossFilters: CrossFilter[];
}
export interface DataClickEvent {
  widgetId: string;
  seriesName: string | null;
  /** The category or point name. */
  name: string | null;
  dataIndex: number | null;
  value: unknown;
  /** The cross-filter the click's default action applies (null: the click selects nothing). */
  crossFilter: CrossFilter | null;
  /**
   * Emitted before the default action (`clickBehavior`); calling this synchronously in the
   * handler cancels it, e.g. to navigate in the host page instead.
   */
  preventDefault(): void;
}
export type LiveStatusName = "connecting" | "open" | "reconnecting" | "paused" | "closed" | "failed";
export interface LiveStatusEvent {
  status: LiveStatusName;
  /** With `reconnecting`. */
  attempt?: number;
  /** With `reconnecting`. */
  nextDelayMs?: number;
}
export interface TokenRefreshedEvent {}
export interface AuthExpiredEvent {
  message: string;
}

/** Every event and its payload. */
export interface EmbedEventMap {
  ready: ReadyEvent;
  rendered: RenderedEvent;
  error: EmbedErrorEvent;
  filtersChanged: FiltersChangedEvent;
  dataClick: DataClickEvent;
  liveStatus: LiveStatusEvent;
  tokenRefreshed: TokenRefreshedEvent;
  authExpired: AuthExpiredEvent;
}
export type EmbedEventName = keyof EmbedEventMap;

/** Removes the handler that `on()` added. */
export type Unsubscribe = () => void;

export interface EmbeddedDashboard {
  on(event: "ready", handler: (e: ReadyEvent) => void): Unsubscribe;
  on(event: "rendered", handler: (e: RenderedEvent) => void): Unsubscribe;
  on(event: "error", handler: (e: EmbedErrorEvent) => void): Unsubscribe;
  on(event: "filtersChanged", handler: (e: FiltersChangedEvent) => void): Unsubscribe;
  on(event: "dataClick", handler: (e: DataClickEvent) => void): Unsubscribe;
  on(event: "liveStatus", handler: (e: LiveStatusEvent) => void): Unsubscribe;
  on(event: "tokenRefreshed", handler: (e: TokenRefreshedEvent) => void): Unsubscribe;
  on(event: "authExpired", handler: (e: AuthExpiredEvent) => void): Unsubscribe;
  on<K extends EmbedEventName>(event: K, handler: (e: EmbedEventMap[K]) => void): Unsubscribe;
  off<K extends EmbedEventName>(event: K, handler: (e: EmbedEventMap[K]) => void): void;
}

/**
 * Every `code` of a {@link VantageError}; the package README says what a host should do for
 * each. The snake_case ones are the backend's (contract) codes.
 */
export type VantageErrorCode =
  | "config" | "filterLocked" | "destroyed" | "authExpired" | "network" | "timeout" | "aborted"
  | "http" | "decode" | "chart" | "browser"
  | "bad_request" | "unauthenticated" | "forbidden" | "not_found" | "locked_filter_unsupported" | "conflict"
  | "payload_too_large" | "validation_failed" | "rate_limited" | "internal" | "unavailable"
  | "unsupported_version";

/**
 * What every thrown error and rejected promise of this package is: an `Error` whose `name` is
 * `"VantageError"`.
 */
export interface VantageError extends Error {
  name: "VantageError";
  code: VantageErrorCode;
  /** The option, argument or data field the error is about. */
  field?: string;
  /** The HTTP status, when the backend answered. */
  status?: number;
  /** The backend's request id, for support. */
  requestId?: string;
}

/** Whether `value` is a {@link VantageError}. */
export function isVantageError(value: unknown): value is VantageError;

/** `<vantage-dashboard base-url dashboard-id widget-id theme live>` (see `defineElement`). */
export interface VantageDashboardElement extends HTMLElement {
  /** A fixed embed token (alternatively answer the `vantage-token-request` event). */
  token: string | null;
  /** The underlying embed; null while disconnected. */
  readonly dashboard: EmbeddedDashboard | null;
}

/** `vantage-token-request` event detail: answer with a token or a promise of one. */
export interface VantageTokenRequestDetail {
  respondWith(token: string | Promise<string>): void;
}

declare global {
  interface HTMLElementTagNameMap {
    "vantage-dashboard": VantageDashboardElement;
  }
}
"##;
