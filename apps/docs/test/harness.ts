/**
 * What the site's tests need around the built site: a server for `dist/` on localhost and
 * Debian's Chromium driven by playwright-core, with WebGPU switched on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type ConsoleMessage, chromium, type Page } from 'playwright-core';

export const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** Debian's Chromium, which brings SwiftShader: WebGPU on the CPU when there is no GPU. */
export const CHROMIUM = '/usr/bin/chromium';

/** WebGPU on, and everything that would reach the network or update itself off. */
export const CHROMIUM_FLAGS = [
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.bin': 'application/octet-stream',
  '.json': 'application/json',
};

/** Serves `dist/` on 127.0.0.1 at a free port; resolves to the site's address. */
export async function serveSite(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = normalize(join(DIST, path === '/' ? 'index.html' : decodeURIComponent(path)));
    const type = CONTENT_TYPES[extname(file)];
    if (!file.startsWith(DIST) || type === undefined || !existsSync(file)) {
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
 * tests may skip (outside CI). In CI (CI=true) a missing Chromium throws, saying what to install.
 */
export async function launchChromium(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI !== 'true') return undefined;
    throw new Error(
      `the docs tests need Debian's Chromium at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium libvulkan1`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** Errors a page reports: console.error calls, uncaught exceptions and failed requests. */
export function recordErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`));
  return errors;
}

/** The pages the build wrote, in the nav's order. */
export function sitePages(): string[] {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const links = [...html.matchAll(/<a href="\.\/([\w-]+\.html)"/g)].map((m) => m[1] as string);
  return ['index.html', ...new Set(links.filter((l) => l !== 'index.html'))];
}
