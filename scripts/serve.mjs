#!/usr/bin/env node
// Serves the built site (dist/) the way a static host does: each response gets the headers that
// dist/_headers (from public/_headers) assigns to its path, including the 404 page. `astro
// preview` sets its headers on files only, so its 404 responses were not cross-origin isolated;
// serving through _headers also means the end-to-end tests check the file that deploys use.
//
// usage: node scripts/serve.mjs [--port 4321] [--host 127.0.0.1] [--dir dist] [--no-headers]
// --no-headers: ignore _headers, like a host that cannot set headers (GitHub Pages,
// `python3 -m http.server`); the service worker must then make the pages isolated.
import { createServer } from 'node:http';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const port = Number(arg('port', process.env.PORT ?? 4321));
const host = arg('host', '127.0.0.1');
const root = resolve(arg('dir', 'dist'));

if (!existsSync(join(root, 'index.html'))) {
  console.error(`serve: ${root} has no index.html. Run \`npm run build\` first.`);
  process.exit(1);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
};

/**
 * Parse the _headers format (Netlify / Cloudflare Pages): a path pattern on its own line, then
 * indented `Name: value` lines. `*` in a pattern matches any run of characters.
 */
function parseHeaders(text) {
  const rules = [];
  let current = null;
  for (const raw of text.split(/\r?\n/)) {
    if (!raw.trim() || raw.trim().startsWith('#')) continue;
    if (!/^\s/.test(raw)) {
      const pattern = raw.trim();
      const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      current = { pattern, re, headers: [] };
      rules.push(current);
    } else if (current) {
      const i = raw.indexOf(':');
      if (i > 0) current.headers.push([raw.slice(0, i).trim(), raw.slice(i + 1).trim()]);
    }
  }
  return rules;
}

const plain = args.includes('--no-headers');
const headersFile = join(root, '_headers');
const rules = !plain && existsSync(headersFile) ? parseHeaders(readFileSync(headersFile, 'utf8')) : [];
if (!rules.length && !plain) console.warn('serve: no dist/_headers; responses carry no custom headers');

function applyHeaders(res, pathname) {
  for (const rule of rules) {
    if (rule.re.test(pathname)) for (const [k, v] of rule.headers) res.setHeader(k, v);
  }
}

function resolveFile(pathname) {
  const clean = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
  const full = join(root, clean);
  if (full !== root && !full.startsWith(root + sep)) return null;
  if (existsSync(full) && statSync(full).isFile()) return full;
  if (existsSync(join(full, 'index.html'))) return join(full, 'index.html');
  return null;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const pathname = url.pathname;
  applyHeaders(res, pathname);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  // /lessons/x -> /lessons/x/ when that is a folder, as static hosts do
  if (!pathname.endsWith('/') && !extname(pathname) && existsSync(join(root, pathname, 'index.html'))) {
    res.writeHead(301, { Location: `${pathname}/${url.search}` }).end();
    return;
  }
  let file;
  try {
    file = resolveFile(pathname);
  } catch {
    file = null;
  }
  const status = file ? 200 : 404;
  file ??= join(root, '404.html');
  res.statusCode = status;
  res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
  res.setHeader('Content-Length', statSync(file).size);
  res.setHeader('Cache-Control', 'no-cache');
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
});

server.listen(port, host, () => {
  console.log(`Serving ${root} at http://${host}:${port}/ (${plain ? 'no custom headers' : 'headers from dist/_headers'})`);
});
