import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";
import { isCustomElement } from "vantage-embed/vue";

// `base: "./"` so the built page works from any folder (the e2e test opens it from the demo
// server at /examples/vue-host/dist/).
export default defineConfig({
  base: "./",
  plugins: [vue({ template: { compilerOptions: { isCustomElement } } })],
  build: { target: "es2022", chunkSizeWarningLimit: 2048 },
});
