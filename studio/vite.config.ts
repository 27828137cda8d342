/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The core compiled for the browser (`cargo xtask core-wasm`) is imported from
// the target directory, so the studio validates with exactly the server's code.
const core = fileURLToPath(new URL('../target/core-wasm', import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@scena/core': core } },
  server: {
    fs: { allow: ['.', core] },
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // The server answers CSP `script-src 'self'`: no inline module preload.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2000,
  },
  test: { include: ['tests/unit/**/*.test.ts'], environment: 'node' },
});
