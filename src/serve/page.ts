/**
 * The web page: plain HTML, CSS and JS files (no build step) from the page/ folder beside this module,
 * read once at start, plus the login form for servers with a token.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { COOKIE, sameToken } from './auth.js';

const DIR = fileURLToPath(new URL('./page/', import.meta.url));
const FILES: [string, string, string][] = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
  ['/style.css', 'style.css', 'text/css; charset=utf-8'],
  ['/login', 'login.html', 'text/html; charset=utf-8'],
];

export function registerPage(app: FastifyInstance, token: string | undefined) {
  for (const [route, file, type] of FILES) {
    const body = readFileSync(DIR + file);
    app.get(route, async (_req, reply) =>
      reply
        .type(type)
        .header('Cache-Control', 'no-cache')
        .header('X-Content-Type-Options', 'nosniff')
        .header('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
        .send(body),
    );
  }
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4096 },
    (_r, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.post('/login', async (req, reply) => {
    const given = (req.body as Record<string, string> | undefined)?.token;
    if (!token) return reply.redirect('/', 303);
    if (!sameToken(given, token)) return reply.redirect('/login?failed=1', 303);
    reply.setCookie(COOKIE, given!, { path: '/', httpOnly: true, sameSite: 'strict', maxAge: 30 * 86400 });
    return reply.redirect('/', 303);
  });
}
