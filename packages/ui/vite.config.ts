/**
 * Vite builds the single-page app into dist/, which the API server serves at `/`. `npm run dev` serves it with hot
 * reload and proxies `/api` (and the websocket) to the API server (API_URL, default http://127.0.0.1:8080).
 */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = process.env.API_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { "/api": { target: api, ws: true, changeOrigin: true } } },
});
