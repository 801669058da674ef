import { defineConfig } from 'vite';

// Served by the API at /ui/ (apps/api/src/plugins/console.ts). Assets get content-hashed names, so
// the API can let browsers cache them for good; index.html is revalidated on every load.
export default defineConfig({
  base: '/ui/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Under the Content-Security-Policy nothing may be inlined: no data: URLs, no inline scripts.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    // `pnpm --filter @event-scheduler/console dev` against an API on :8080.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
