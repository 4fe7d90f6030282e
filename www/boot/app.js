// Boots the Vantage app. This is a template: `cargo xtask` writes it into the app bundle as
// /app/boot.js with the three names below replaced by the content-hashed files it built (cached
// immutably); boot.js itself is small and revalidated on every load. ECHARTS is the trimmed
// build of www/boot/echarts.js (only what the widgets draw).
const APP_GLUE = "/app/vantage_app.js";
const APP_WASM = "/app/vantage_app_bg.wasm";
const ECHARTS = "/app/echarts.js";

/** Pages an anonymous visitor sees without signing in (first-run setup, invitations, resets). */
const PUBLIC_PAGES = ["/setup", "/invite", "/accept", "/reset", "/password"];

/** Whether this visitor will land on the sign-in page (no stored session, or /login itself). */
function signedOut() {
  const path = location.pathname;
  if (path === "/login") return true;
  if (PUBLIC_PAGES.some((page) => path === page || path.startsWith(`${page}/`))) return false;
  try {
    return !localStorage.getItem("vantage.refreshToken");
  } catch {
    return true;
  }
}

/** Shows the skeleton's sign-in card or page placeholder before the wasm arrives. */
function revealSkeleton() {
  const part = document.getElementById(signedOut() ? "boot-login" : "boot-page");
  if (part) part.hidden = false;
}

/** ECharts as a classic script (the widgets use `globalThis.echarts`), loaded beside the wasm. */
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`${src} did not load`));
    document.head.append(script);
  });
}

revealSkeleton();
// The wasm (the largest file) starts downloading now, beside the glue and ECharts: handing init()
// its URL would start it only once both of those had arrived. init() awaits the response.
const wasm = fetch(APP_WASM);
wasm.catch(() => {}); // a failed download is reported by init() below, not as unhandled
const [{ default: init }] = await Promise.all([import(APP_GLUE), loadScript(ECHARTS)]);
await init({ module_or_path: wasm });
// The app has mounted into <body> (its start function runs inside init).
document.getElementById("boot")?.remove();
