// vantage-embed/vue: `isCustomElement` and the typings of <vantage-dashboard> in Vue templates
// (importing this module, or only its types, adds them to Vue's `GlobalComponents`).
import type { DefineComponent } from "vue";
import type { LiveMode, ThemeName } from "./index.js";

/**
 * For `compilerOptions.isCustomElement` (in @vitejs/plugin-vue's `template` options or
 * `app.config.compilerOptions`): tells Vue that <vantage-dashboard> is a custom element.
 */
export declare function isCustomElement(tag: string): boolean;

/** What a template may bind on <vantage-dashboard> (register it with `defineElement()`). */
export interface VantageDashboardElementProps {
  /** The `base-url` attribute. */
  baseUrl?: string;
  /** The `dashboard-id` attribute. */
  dashboardId?: string;
  /** The `widget-id` attribute. */
  widgetId?: string;
  theme?: ThemeName;
  live?: LiveMode;
  /** Bind it (`:token`): Vue sets the element's `token` property. */
  token?: string | null;
}

declare module "vue" {
  interface GlobalComponents {
    "vantage-dashboard": DefineComponent<VantageDashboardElementProps>;
  }
}
