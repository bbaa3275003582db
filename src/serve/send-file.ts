/**
 * Answer a finished file: Content-Type, Content-Length, a tidy Content-Disposition, a strong ETag
 * (If-None-Match gives 304) and single byte ranges (206, or 416 when unsatisfiable). The file is opened
 * before answering and streamed from that descriptor, so an eviction meanwhile cannot cut it short.
 */
import { open } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';

const TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg; codecs=opus',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  zip: 'application/zip',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
};

export const contentType = (ext: string) => TYPES[ext.toLowerCase()] ?? 'application/octet-stream';

/** `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266 / 5987). */
export function disposition(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/["\\]/g, "'");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii || 'download'}"; filename*=UTF-8''${encoded}`;
}

/** A single range `bytes=a-b`, `bytes=a-` or `bytes=-n` within `size`; 'bad' when unsatisfiable; undefined: whole. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'bad' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges, or another unit: answered whole, as RFC 9110 allows.
  if (!m || (!m[1] && !m[2])) return undefined;
  if (!m[1]) {
    const n = Number(m[2]);
    return n === 0 ? 'bad' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  return start >= size || end < start ? 'bad' : { start, end };
}

/** Does If-None-Match name this ETag (or `*`)? */
export const matches = (header: string | undefined, etag: string) =>
  !!header && header.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}` || t.trim() === '*');

export async function sendFile(
  req: FastifyRequest,
  reply: FastifyReply,
  file: { path: string; size: number; etag: string; name: string; ext: string },
): Promise<FastifyReply> {
  const etag = `"${file.etag}"`;
  reply.header('ETag', etag).header('Accept-Ranges', 'bytes').header('Cache-Control', 'private, max-age=0');
  if (matches(req.headers['if-none-match'], etag)) return reply.code(304).send();
  const range = parseRange(req.headers.range, file.size);
  if (range === 'bad') return reply.code(416).header('Content-Range', `bytes */${file.size}`).send();
  const fh = await open(file.path, 'r');
  const { start, end } = range ?? { start: 0, end: file.size - 1 };
  reply
    .header('Content-Type', contentType(file.ext))
    .header('Content-Disposition', disposition(file.name))
    .header('Content-Length', String(file.size === 0 ? 0 : end - start + 1));
  if (range) reply.code(206).header('Content-Range', `bytes ${start}-${end}/${file.size}`);
  if (req.method === 'HEAD' || file.size === 0) {
    await fh.close();
    return reply.send();
  }
  return reply.send(fh.createReadStream({ start, end, autoClose: true }));
}
