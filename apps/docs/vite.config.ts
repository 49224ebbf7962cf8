import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const site = fileURLToPath(new URL('./site/', import.meta.url));
const nodeBuiltins = fileURLToPath(new URL('./src/client/node-builtins.ts', import.meta.url));

/** Every page `scripts/generate.ts` wrote, as Vite's multi-page inputs. */
function pages(): Record<string, string> {
  const files: string[] = JSON.parse(readFileSync(`${site}pages.json`, 'utf8'));
  return Object.fromEntries(files.map((file) => [file.replace('.html', ''), `${site}${file}`]));
}

export default defineConfig({
  root: site,
  base: './',
  // TODO: drop this alias when @symgrad/runtime-cpu has a browser entry without its file
  // helpers; meanwhile they get stand-ins that throw, and the site never calls them.
  resolve: {
    alias: [{ find: /^node:(fs|path)$/, replacement: nodeBuiltins }],
  },
  // The playground derives and compiles in a module worker.
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('./dist/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    // The playground carries the whole compiler and both runtimes.
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      input: pages(),
      checks: { pluginTimings: false },
    },
  },
});
