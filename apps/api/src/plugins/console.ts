import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import type { Logger } from '@event-scheduler/logging';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the console is served. */
export const CONSOLE_PREFIX = '/ui';

/**
 * Nothing but this origin: scripts, styles, images, fonts and API calls come from here; no inline
 * code, no plugins, no framing, forms post only here.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Vite names every built asset after its content hash, so an asset never changes under its name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: revalidate it on every load (cheap, with the ETag). */
const REVALIDATE = 'no-cache';

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

export interface ConsoleOptions {
  log: Logger;
  /** The console's built files; default the `dist` of the @event-scheduler/console package. */
  root?: string;
}

/** The built console's folder, found through the package the API depends on; null when it is not installed. */
export function defaultConsoleRoot(): string | null {
  try {
    const manifest = createRequire(import.meta.url).resolve('@event-scheduler/console/package.json');
    return join(dirname(manifest), 'dist');
  } catch {
    return null;
  }
}

/**
 * Serves the operator console (a static single-page app, apps/console) at `/ui/`, from memory:
 * the bundle is small and read once at start, so a request touches no file system and can only
 * ask for a file that was built. When the bundle is missing (the console was not built), the API
 * runs without it and says so in its log.
 */
export async function registerConsole(
  app: FastifyInstance,
  { log, root = defaultConsoleRoot() ?? '' }: ConsoleOptions,
) {
  const files = root && existsSync(join(root, 'index.html')) ? loadFiles(root) : null;
  if (!files) {
    log.warn({ root }, 'console not built (pnpm build): /ui is not served');
    return;
  }
  const send = (reply: FastifyReply, file: StaticFile, ifNoneMatch: string | undefined) => {
    reply
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', file.cacheControl)
      .header('etag', file.etag)
      .type(file.type);
    return ifNoneMatch === file.etag ? reply.code(304).send() : reply.send(file.body);
  };
  const index = files.get('index.html') as StaticFile;
  const hide = { schema: { hide: true } };

  app.get(CONSOLE_PREFIX, hide, async (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/`));
  app.get(`${CONSOLE_PREFIX}/`, hide, async (request, reply) => send(reply, index, request.headers['if-none-match']));
  app.get<{ Params: { '*': string } }>(`${CONSOLE_PREFIX}/*`, hide, async (request, reply) => {
    const file = files.get(request.params['*']);
    if (!file) return reply.callNotFound();
    return send(reply, file, request.headers['if-none-match']);
  });
  log.debug({ root, files: files.size }, 'console served at /ui/');
}

function loadFiles(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const path of walk(root)) {
    const name = relative(root, path).split(sep).join('/');
    const body = readFileSync(path);
    files.set(name, {
      body,
      type: TYPES[extname(path)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      cacheControl: name.startsWith('assets/') ? IMMUTABLE : REVALIDATE,
    });
  }
  return files;
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
