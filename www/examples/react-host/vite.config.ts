import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `base: "./"` so the built page works from any folder (the e2e test opens it from the demo
// server at /examples/react-host/dist/).
export default defineConfig({
  base: "./",
  plugins: [react()],
  // React's development build, so StrictMode's mount → unmount → mount of every effect runs in
  // the bundle the e2e test opens (a production build skips it).
  define: { "process.env.NODE_ENV": JSON.stringify("development") },
  build: { target: "es2022", chunkSizeWarningLimit: 2048 },
});
