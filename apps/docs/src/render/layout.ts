import { escapeHtml } from './html.js';

/** A page of the site: its file, its title in the nav, and the script that brings it to life. */
export interface PageShell {
  readonly file: string;
  readonly title: string;
  readonly description: string;
  /** The page's HTML inside `<main>`. */
  readonly body: string;
  /** The client script, relative to the site folder; every page gets the site script. */
  readonly script?: string;
}

/** The links of the nav bar: the models, the paper's results and the playground. */
export interface NavLink {
  readonly file: string;
  readonly label: string;
}

const SITE_SCRIPT = '../src/client/site.ts';

/** The whole document: head, nav, the page's content and its scripts. */
export function pageHtml(page: PageShell, nav: readonly NavLink[]): string {
  const links = nav
    .map((link) => {
      const current = link.file === page.file ? ' aria-current="page"' : '';
      return `<a href="./${link.file}"${current}>${escapeHtml(link.label)}</a>`;
    })
    .join('\n');
  const scripts = [SITE_SCRIPT, ...(page.script ? [page.script] : [])]
    .map((src) => `<script type="module" src="${src}"></script>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="${escapeHtml(page.description)}">
<link rel="icon" href="data:,">
<title>${escapeHtml(page.title)} · symgrad</title>
${scripts}
</head>
<body>
<header class="site-header">
<a class="brand" href="./index.html"><span class="brand-mark">∂</span> symgrad</a>
<nav class="site-nav" aria-label="Pages">
${links}
</nav>
</header>
<main>
${page.body}
</main>
<footer class="site-footer">
<p>Every equation and every line of code on this site was produced by the symgrad compiler when the site was built.</p>
</footer>
</body>
</html>
`;
}
