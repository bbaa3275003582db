/**
 * Who may ask: without a token (loopback only) everyone on this machine, and only through a loopback
 * Host header (a DNS-rebinding page cannot borrow the browser); with a token, a request must carry it
 * as `Authorization: Bearer <token>` or in the cookie the login page sets. Compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const COOKIE = 'audiofan_token';

const digest = (s: string) => createHash('sha256').update(s).digest();
export const sameToken = (given: string | undefined, token: string) =>
  given !== undefined && timingSafeEqual(digest(given), digest(token));

/** Paths anyone may load: the login page and what it needs. */
const OPEN = new Set(['/login', '/style.css', '/favicon.ico']);

const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

export function bearer(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1].trim();
}

/** The onRequest hook: undefined lets the request through; otherwise it has been answered. */
export function authHook(token: string | undefined) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0];
    if (!token) {
      if (!LOOPBACK_HOST.test(req.headers.host ?? ''))
        return reply.code(403).send({ error: 'E_FORBIDDEN', message: 'this server answers only to localhost' });
      return;
    }
    if (OPEN.has(path)) return;
    const given = bearer(req) ?? req.cookies[COOKIE];
    if (sameToken(given, token)) return;
    const wantsPage =
      req.method === 'GET' && !path.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');
    if (wantsPage) return reply.redirect('/login');
    return reply.code(401).header('WWW-Authenticate', 'Bearer realm="audiofan"').send({
      error: 'E_UNAUTHORIZED',
      message: 'an access token is needed (Authorization: Bearer, or log in at /login)',
    });
  };
}

/** A state-changing POST must not be a form another site's page could submit: JSON or a bearer token. */
export function isScriptedPost(req: FastifyRequest): boolean {
  return !!bearer(req) || (req.headers['content-type'] ?? '').startsWith('application/json');
}
