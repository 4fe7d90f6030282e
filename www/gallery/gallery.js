// Mounts the widget gallery (vantage_widgets::WidgetGallery) twice: light and dark.
// The SDK package exposes it as `mountGallery(element, mode)`, returning a handle whose
// `destroy()` unmounts it. No inline scripts: the page works under a strict CSP.
import init, * as vantage from "/pkg/index.js";

const status = document.getElementById("gallery-status");

try {
  await init();
  if (typeof vantage.mountGallery !== "function") {
    throw new Error("this build of vantage-embed does not export mountGallery(element, mode)");
  }
  // The wasm's start, then one theme per task (each gallery builds its cards over several
  // tasks as well), so the page's load is no single long task.
  await new Promise((resolve) => setTimeout(resolve, 0));
  window.vantageGallery = [vantage.mountGallery(document.getElementById("gallery-light"), "light")];
  await new Promise((resolve) => setTimeout(resolve, 0));
  window.vantageGallery.push(vantage.mountGallery(document.getElementById("gallery-dark"), "dark"));
} catch (error) {
  status.textContent = `The gallery could not start: ${error.message ?? error}`;
}
