import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** One file the dashboard needs, served by the app itself (no CDN: the demo runs on closed networks). */
export interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly cacheControl: string;
}

/** `public/` of this package, from `src/` (tests) and from `dist/` (the build) alike. */
const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
const resolveFrom = createRequire(import.meta.url);

// App files may change with every version: revalidate (cheap with the ETag). Vendor files carry
// their version in the URL, so they never change under it.
const REVALIDATE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';

function asset(body: Buffer, contentType: string, cacheControl: string): Asset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, contentType, etag, cacheControl };
}

/** Loads every asset into memory, keyed by URL path. Fails at startup if a file is missing. */
export async function loadDashboardAssets(): Promise<Map<string, Asset>> {
  const uplotVersion = (
    JSON.parse(await readFile(resolveFrom.resolve('uplot/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const vendor = `/assets/vendor/uplot-${uplotVersion}`;
  const read = (file: string): Promise<Buffer> => readFile(PUBLIC_DIR + file);
  const html = (await read('index.html')).toString('utf8').replaceAll('{{UPLOT}}', vendor);
  const [js, css, icon, uplotJs, uplotCss] = await Promise.all([
    read('dashboard.js'),
    read('dashboard.css'),
    read('favicon.svg'),
    readFile(resolveFrom.resolve('uplot/dist/uPlot.iife.min.js')),
    readFile(resolveFrom.resolve('uplot/dist/uPlot.min.css')),
  ]);
  return new Map([
    ['/', asset(Buffer.from(html), 'text/html; charset=utf-8', REVALIDATE)],
    ['/assets/dashboard.js', asset(js, 'text/javascript; charset=utf-8', REVALIDATE)],
    ['/assets/dashboard.css', asset(css, 'text/css; charset=utf-8', REVALIDATE)],
    ['/assets/favicon.svg', asset(icon, 'image/svg+xml', REVALIDATE)],
    [`${vendor}/uPlot.iife.min.js`, asset(uplotJs, 'text/javascript; charset=utf-8', IMMUTABLE)],
    [`${vendor}/uPlot.min.css`, asset(uplotCss, 'text/css; charset=utf-8', IMMUTABLE)],
  ]);
}
