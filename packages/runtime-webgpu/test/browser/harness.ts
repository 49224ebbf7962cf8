/**
 * What the browser test needs around its page: the page script bundled for the browser, a
 * server for it on localhost, and Debian's Chromium driven by playwright-core.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';

/** Debian's Chromium, which brings SwiftShader: WebGPU on the CPU when there is no GPU. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * WebGPU switched on, and everything that would reach the network or update itself switched
 * off. SwiftShader needs no flag: Chromium offers it as the fallback adapter when it finds
 * no GPU.
 */
export const CHROMIUM_FLAGS = [
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const PAGE_SCRIPT = fileURLToPath(new URL('./page.ts', import.meta.url));

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <link rel="icon" href="data:,">
    <title>symgrad WebGPU training step</title>
  </head>
  <body><script type="module" src="/page.js"></script></body>
</html>
`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** A folder holding `index.html` and the bundled `page.js`, removed by `remove()`. */
export interface PageFolder {
  readonly root: string;
  remove(): void;
}

/**
 * Bundles `page.ts` with everything it imports: the runtime from its sources, so the test runs
 * the code as it stands, and `@symgrad/compiler` from its build, as a user's bundler would.
 */
export async function bundlePage(): Promise<PageFolder> {
  const root = mkdtempSync(join(tmpdir(), 'symgrad-page-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir: root,
      emptyOutDir: false,
      minify: false,
      sourcemap: false,
      target: 'es2022',
      reportCompressedSize: false,
      lib: { entry: PAGE_SCRIPT, formats: ['es'], fileName: () => 'page.js' },
    },
  });
  writeFileSync(join(root, 'index.html'), INDEX_HTML);
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Serves the files of `root` on 127.0.0.1 at a free port; resolves to the page's address. */
export async function servePage(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = join(root, path === '/' ? 'index.html' : path.slice(1));
    const type = CONTENT_TYPES[extname(file)];
    if (!file.startsWith(root) || type === undefined || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': type }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, server };
}

/**
 * Headless Chromium with WebGPU, or `undefined` where there is no Chromium to launch and the
 * test may skip (outside CI). In CI (CI=true) a missing Chromium throws, saying what to install.
 */
export async function launchChromium(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI !== 'true') return undefined;
    throw new Error(
      `the browser test needs Debian's Chromium at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium libvulkan1`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}
