// Boots the Vantage app. This is a template: `cargo xtask` writes it into the app bundle as
// /app/boot.js with the three names below replaced by the content-hashed files it built (cached
// immutably); boot.js itself is small and revalidated on every load. ECHARTS is the trimmed
// build of www/boot/echarts.js (only what the widgets draw).
const APP_GLUE = "/app/vantage_app.js";
const APP_WASM = "/app/vantage_app_bg.wasm";
const ECHARTS = "/app/echarts.js";

/** Pages an anonymous visitor sees without signing in (first-run setup, invitations, resets). */
const PUBLIC_PAGES = ["/setup", "/invite", "/accept", "/reset", "/password"];

/** Whether a session is stored (the app renews it before showing anything of the user's). */
function storedSession() {
  try {
    return !!localStorage.getItem("vantage.refreshToken");
  } catch {
    return false;
  }
}

/** Whether this visitor will land on the sign-in page (no stored session, or /login itself). */
function signedOut() {
  const path = location.pathname;
  if (path === "/login") return true;
  if (PUBLIC_PAGES.some((page) => path === page || path.startsWith(`${page}/`))) return false;
  return !storedSession();
}

/** Shows the skeleton's sign-in card or page placeholder before the wasm arrives. */
function revealSkeleton() {
  const out = signedOut();
  const part = document.getElementById(out ? "boot-login" : "boot-page");
  if (part) part.hidden = false;
  // A visitor with a stored session gets the navigation (a second row on a phone): reserve it.
  if (!out && storedSession()) document.querySelector("#boot .app-header")?.classList.add("with-nav");
}

/** A classic script (ECharts: the widgets use `globalThis.echarts`). */
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => {
      script.remove();
      reject(new Error(`${src} did not load`));
    };
    document.head.append(script);
  });
}

let echartsLoad;
/**
 * Loads ECharts once; the widgets call this when their first chart needs it (see the widgets'
 * `echarts::loader`). A failed load is forgotten, so a retry fetches it again.
 */
globalThis.vantageLoadECharts = () => {
  echartsLoad ??= loadScript(ECHARTS).catch((error) => {
    echartsLoad = undefined;
    throw error;
  });
  return echartsLoad;
};

revealSkeleton();
// The wasm (the largest file) starts downloading now, beside the glue: handing init() its URL
// would start it only once the glue had arrived. init() awaits the response.
const wasm = fetch(APP_WASM);
wasm.catch(() => {}); // a failed download is reported by init() below, not as unhandled
// A signed-in visitor will see charts: ECharts comes beside the wasm. The sign-in page draws
// none, so it is fetched only when the first chart after signing in asks for it.
if (!signedOut()) globalThis.vantageLoadECharts().catch(() => {});
const { default: init } = await import(APP_GLUE);
await init({ module_or_path: wasm });
// The app has mounted into <body> (its start function runs inside init).
document.getElementById("boot")?.remove();
