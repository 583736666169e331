// The web client's build. Output goes out of tree (REVENGE_WEB_OUT, by
// default ../build/web), where deploy/stack.sh copies it into the stack's
// web root for nginx. Hashed file names under assets/ let nginx cache them
// for a year; index.html is revalidated on every load.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  base: '/',
  build: {
    outDir: process.env.REVENGE_WEB_OUT ?? '../build/web',
    emptyOutDir: true,
    target: 'es2020',
    // no inline data: URLs (CSP is default-src 'self')
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
  },
});
