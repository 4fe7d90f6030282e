// vantage-embed/react: types of <VantageDashboard> and JSX typings of <vantage-dashboard>.
import type { CSSProperties, DetailedHTMLProps, ForwardRefExoticComponent, HTMLAttributes, RefAttributes } from "react";
import type {
  AuthExpiredEvent,
  DataClickEvent,
  EmbedConfig,
  EmbeddedDashboard,
  EmbedErrorEvent,
  FiltersChangedEvent,
  LiveMode,
  LiveStatusEvent,
  ReadyEvent,
  RenderedEvent,
  ThemeName,
  TokenRefreshedEvent,
  VantageDashboardElement,
} from "./index.js";

/**
 * The embed's configuration as props, its events as callbacks. Changing `baseUrl`,
 * `dashboardId`, `widgetId`, `token`, `live`, `clickBehavior`, `echarts`, `shadow` or `timeZone`
 * re-creates the embed; `theme`, `filters` and `locale` are applied live; callbacks and
 * `fetchToken` may change on every render.
 */
export interface VantageDashboardProps extends EmbedConfig {
  onReady?: (event: ReadyEvent) => void;
  onRendered?: (event: RenderedEvent) => void;
  /** The embed's `error` event; also an invalid option (`code: "config"`, `field`). */
  onError?: (event: EmbedErrorEvent & { field?: string }) => void;
  onFiltersChanged?: (event: FiltersChangedEvent) => void;
  /** Call `event.preventDefault()` synchronously to cancel the click's cross-filter. */
  onDataClick?: (event: DataClickEvent) => void;
  onLiveStatus?: (event: LiveStatusEvent) => void;
  onTokenRefreshed?: (event: TokenRefreshedEvent) => void;
  onAuthExpired?: (event: AuthExpiredEvent) => void;
  /** The container `<div>`'s id, class and style (size the embed here). */
  id?: string;
  className?: string;
  style?: CSSProperties;
}

/**
 * A Vantage dashboard in a React tree. The `ref` receives the {@link EmbeddedDashboard} once it
 * is created (null before, and after unmount); unmounting destroys it. A client component:
 * in a Next.js App Router page, use it from a file marked `"use client"`.
 */
export declare const VantageDashboard: ForwardRefExoticComponent<
  VantageDashboardProps & RefAttributes<EmbeddedDashboard | null>
>;

/** Attributes and properties of `<vantage-dashboard>` in JSX (register it with `defineElement()`). */
export interface VantageDashboardElementAttributes
  extends DetailedHTMLProps<HTMLAttributes<VantageDashboardElement>, VantageDashboardElement> {
  "base-url"?: string;
  "dashboard-id"?: string;
  "widget-id"?: string;
  theme?: ThemeName;
  live?: LiveMode;
  /** React 19 sets it as the element's `token` property. */
  token?: string;
}

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "vantage-dashboard": VantageDashboardElementAttributes;
    }
  }
}
