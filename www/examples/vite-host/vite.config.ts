import { defineConfig } from "vite";

// `base: "./"` so the built page works from any folder (the e2e test opens it from the demo
// server at /examples/vite-host/dist/).
export default defineConfig({
  base: "./",
  build: { target: "es2022", chunkSizeWarningLimit: 2048 },
});
