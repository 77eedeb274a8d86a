// The desktop app's preload runs sandboxed: it must be one CommonJS file that requires only
// electron. This bundles src-main/app/preload.ts (and the method list it carries) into one.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    lib: { entry: 'src-main/app/preload.ts', formats: ['cjs'], fileName: () => 'preload.cjs' },
    outDir: 'build/src-main/app',
    emptyOutDir: false,
    rollupOptions: { external: ['electron'] },
    minify: false,
    target: 'node20',
  },
});
