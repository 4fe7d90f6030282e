// vantage-embed/vue: helpers for Vue 3 hosts using the <vantage-dashboard> custom element.
// Copied into the package by `cargo xtask` (xtask/src/artifacts/npm.rs). Touches no DOM.

/**
 * For `compilerOptions.isCustomElement` (in @vitejs/plugin-vue's `template` options or
 * `app.config.compilerOptions`): tells Vue that <vantage-dashboard> is a custom element.
 */
export function isCustomElement(tag) {
  return tag === "vantage-dashboard";
}
