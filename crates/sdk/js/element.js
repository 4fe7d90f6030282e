// <vantage-dashboard>: a custom element around EmbeddedDashboard.
//
// Safe to import where there is no DOM (server-side rendering): nothing here touches the DOM
// until defineVantageDashboard() is called in a browser.
const EVENTS = ["ready", "rendered", "error", "filtersChanged", "dataClick", "liveStatus", "tokenRefreshed", "authExpired"];

export function defineVantageDashboard(tag, create) {
  if (typeof customElements === "undefined" || typeof HTMLElement === "undefined") return false;
  if (customElements.get(tag)) return true;

  class VantageDashboardElement extends HTMLElement {
    static get observedAttributes() {
      return ["base-url", "dashboard-id", "widget-id", "theme", "live"];
    }

    constructor() {
      super();
      this._dashboard = null;
      this._token = null;
      this._scheduled = false;
    }

    /** A fixed embed token (alternatively, answer `vantage-token-request` events). */
    get token() { return this._token; }
    set token(value) { this._token = value; this._schedule(); }

    /** The underlying EmbeddedDashboard (null while disconnected). */
    get dashboard() { return this._dashboard; }

    connectedCallback() { this._schedule(); }
    disconnectedCallback() { this._stop(); }
    attributeChangedCallback() { this._schedule(); }

    _schedule() {
      if (this._scheduled) return;
      this._scheduled = true;
      queueMicrotask(() => {
        this._scheduled = false;
        if (this.isConnected) this._start();
      });
    }

    _stop() {
      if (this._dashboard) {
        this._dashboard.destroy();
        this._dashboard = null;
      }
    }

    _emit(name, detail) {
      this.dispatchEvent(new CustomEvent(`vantage-${name}`, { detail, bubbles: true, composed: true }));
    }

    _requestToken() {
      return new Promise((resolve, reject) => {
        let answered = false;
        const event = new CustomEvent("vantage-token-request", {
          bubbles: true,
          composed: true,
          cancelable: true,
          detail: { respondWith: (token) => { answered = true; Promise.resolve(token).then(resolve, reject); } },
        });
        this.dispatchEvent(event);
        if (!answered) reject(new Error("no token: set the element's token property or answer vantage-token-request"));
      });
    }

    _start() {
      this._stop();
      const attr = (name) => this.getAttribute(name) ?? undefined;
      const config = {
        baseUrl: attr("base-url"),
        dashboardId: attr("dashboard-id"),
        widgetId: attr("widget-id"),
        theme: attr("theme"),
        live: attr("live"),
      };
      if (this._token) config.token = this._token;
      else config.fetchToken = () => this._requestToken();
      let dashboard;
      try {
        dashboard = create(config);
      } catch (error) {
        // `error` is the VantageError itself (its `code` is "config", `field` names the option).
        this._emit("error", { code: "config", message: error.message, field: error.field, error });
        return;
      }
      this._dashboard = dashboard;
      for (const name of EVENTS) dashboard.on(name, (detail) => this._emit(name, detail));
      // A failed render is also reported by the dashboard's own `error` event (forwarded above),
      // so the rejection is only caught here.
      dashboard.render(this).catch(() => {});
    }
  }

  customElements.define(tag, VantageDashboardElement);
  return true;
}
