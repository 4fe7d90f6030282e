// Boots the Vantage app (Leptos, compiled to wasm by `cargo xtask demo`).
import init from "/app/vantage_app.js";

await init({ module_or_path: "/app/vantage_app_bg.wasm" });
