/**
 * The HTTP API and downloads: albums, tracks and presets as JSON; a track in a preset (cache, seed or
 * encode); an album as a zip; covers; rescans. Ids are opaque hashes checked against the library (an
 * unknown one is 404); a preset not on offer is 400 listing those that are.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadCover } from '../sources/art.js';
import type { Picture } from '../tagging/picture.js';
import type { Preset } from '../presets/presets.js';
import { isScriptedPost } from './auth.js';
import { albumZip, memberNames, type Member } from './album-zip.js';
import { downloadName, freshTrack, keyOf, type ServeContext } from './context.js';
import { EncodeError } from './encoder.js';
import { estimateBytes, presetBitrate } from './estimate.js';
import type { Album, Track } from './library.js';
import { contentType, disposition, matches, sendFile } from './send-file.js';
import { safeComponent } from '../plan/fs-profile.js';

type Params = Record<string, string>;
const ID = /^[0-9a-f]{20}$/;
const RETRY_AFTER_S = 5;

const notFound = (reply: FastifyReply, what: string) =>
  reply.code(404).send({ error: 'E_NOT_FOUND', message: `no such ${what}` });

function badPreset(ctx: ServeContext, reply: FastifyReply, id: string) {
  const presets = [...ctx.presets.keys()];
  return reply
    .code(400)
    .send({ error: 'E_PRESET_UNKNOWN', message: `unknown preset "${id}"; valid: ${presets.join(', ')}`, presets });
}

/** Answer an encode that could not give a file: busy (503 + Retry-After), shutting down (503), or failed (500). */
function encodeFailed(reply: FastifyReply, e: unknown) {
  if (!(e instanceof EncodeError)) throw e;
  if (e.code === 'E_BUSY' || e.code === 'E_CANCELLED')
    return reply
      .code(503)
      .header('Retry-After', String(RETRY_AFTER_S))
      .send({ error: e.code, message: `busy: ${e.message}; try again in ${RETRY_AFTER_S} s` });
  return reply.code(500).send({ error: e.code, message: e.message });
}

/** Called once when the response ends before it was complete: the client went away. */
function onAbort(reply: FastifyReply, f: () => void) {
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) f();
  });
}

function albumJson(a: Album) {
  return {
    id: a.id,
    title: a.title,
    artist: a.artist,
    ...(a.year ? { year: a.year } : {}),
    ...(a.genre ? { genre: a.genre } : {}),
    tracks: a.tracks.length,
    duration: a.tracks.reduce((s, t) => s + (t.duration ?? 0), 0),
    cover: a.coverTrack ? `/covers/${a.id}` : null,
  };
}

function trackJson(ctx: ServeContext, t: Track) {
  const sizes: Record<string, { bytes: number; exact: boolean }> = {};
  for (const p of ctx.presets.values()) {
    const real = ctx.cache.peek(keyOf(ctx, t, p))?.size ?? ctx.seeds.find(t, p.id, p.hash)?.size;
    sizes[p.id] =
      real !== undefined
        ? { bytes: real, exact: true }
        : { bytes: estimateBytes(p, t.source, ctx.recipe), exact: false };
  }
  return {
    id: t.id,
    albumId: t.albumId,
    title: t.title,
    artist: t.artist,
    ...(t.trackNo !== undefined ? { trackNo: t.trackNo } : {}),
    ...(t.discNo !== undefined ? { discNo: t.discNo } : {}),
    duration: t.duration ?? null,
    format: t.format,
    sizes,
  };
}

export function registerApi(app: FastifyInstance, ctx: ServeContext) {
  app.get('/api/albums', async () => ctx.library.albums.map(albumJson));

  app.get('/api/albums/:id', async (req, reply) => {
    const a = ctx.library.album((req.params as Params).id);
    if (!a) return notFound(reply, 'album');
    return { ...albumJson(a), tracks: a.tracks.map((t) => trackJson(ctx, t)) };
  });

  app.get('/api/tracks/:id', async (req, reply) => {
    const t = await freshTrack(ctx, (req.params as Params).id);
    if (!t) return notFound(reply, 'track');
    return { ...trackJson(ctx, t), album: ctx.library.album(t.albumId)?.title };
  });

  app.get('/api/presets', async () =>
    [...ctx.presets.values()].map((p) => ({
      id: p.id,
      description: p.description,
      extension: p.extension,
      lossless: !!p.lossless,
      bitrate: presetBitrate(p) ?? null,
    })),
  );

  app.post('/api/rescan', async (req, reply) => {
    if (!isScriptedPost(req))
      return reply
        .code(415)
        .send({ error: 'E_USAGE', message: 'POST /api/rescan with Content-Type: application/json' });
    return ctx.rescan();
  });
}

export function registerDownloads(app: FastifyInstance, ctx: ServeContext) {
  app.get('/tracks/:id/:preset', (req, reply) => downloadTrack(ctx, req, reply));
  app.get('/albums/:id/:file', (req, reply) => downloadAlbum(ctx, req, reply));
  const covers = new Map<string, Promise<Picture | undefined>>();
  app.get('/covers/:id', async (req, reply) => {
    const a = ctx.library.album((req.params as Params).id);
    const t = a?.coverTrack;
    if (!a || !t?.source.cover) return notFound(reply, 'cover');
    const key = `${a.id}:${t.identity}`;
    if (!covers.has(key)) covers.set(key, loadCover(t.source.path, t.source.cover, undefined, ctx.ffmpegPath));
    const pic = await covers.get(key);
    if (!pic) return notFound(reply, 'cover');
    const etag = `"${key.replace(':', '-')}"`;
    reply.header('ETag', etag).header('Cache-Control', 'private, max-age=3600');
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type(pic.mime).send(Buffer.from(pic.data));
  });
}

async function downloadTrack(ctx: ServeContext, req: FastifyRequest, reply: FastifyReply) {
  const { id, preset: presetId } = req.params as Params;
  if (!ID.test(id)) return notFound(reply, 'track');
  const preset = ctx.presets.get(presetId);
  const track = await freshTrack(ctx, id);
  if (!track) return notFound(reply, 'track');
  if (!preset) return badPreset(ctx, reply, presetId);
  const key = keyOf(ctx, track, preset);
  const file = { etag: key, name: downloadName(track, preset), ext: preset.extension };
  const seed = ctx.seeds.find(track, preset.id, preset.hash);
  if (seed) return sendFile(req, reply, { ...file, ...seed });
  // The ETag is the key, known before any encode: a client holding this output needs none.
  if (matches(req.headers['if-none-match'], `"${key}"`)) return reply.code(304).header('ETag', `"${key}"`).send();
  let claim: ReturnType<ServeContext['encoder']['acquire']>;
  try {
    claim = ctx.encoder.acquire(track, preset, key);
  } catch (e) {
    return encodeFailed(reply, e);
  }
  onAbort(reply, claim.release);
  try {
    const ready = await claim.ready;
    return await sendFile(req, reply, { ...file, path: ready.path, size: ready.size });
  } catch (e) {
    if (reply.raw.destroyed) return reply;
    return encodeFailed(reply, e);
  } finally {
    claim.release();
  }
}

/** A member for each track: a seed or cached file at once, else a claim on its encode. */
function membersOf(ctx: ServeContext, a: Album, preset: Preset): Member[] {
  const names = memberNames(a, preset.extension);
  const members: Member[] = [];
  try {
    a.tracks.forEach((t, i) => {
      const seed = ctx.seeds.find(t, preset.id, preset.hash);
      const claim = seed
        ? { ready: Promise.resolve(seed), release() {} }
        : ctx.encoder.acquire(t, preset, keyOf(ctx, t, preset));
      members.push({ name: names[i], ...claim });
    });
    return members;
  } catch (e) {
    for (const m of members) m.release();
    throw e;
  }
}

async function downloadAlbum(ctx: ServeContext, req: FastifyRequest, reply: FastifyReply) {
  const { id, file } = req.params as Params;
  const a = ID.test(id) ? ctx.library.album(id) : undefined;
  if (!a) return notFound(reply, 'album');
  const m = /^(.+)\.zip$/.exec(file);
  const preset = m ? ctx.presets.get(m[1]) : undefined;
  if (!preset) return badPreset(ctx, reply, m?.[1] ?? file);
  for (const t of a.tracks) if (!ctx.library.unchanged(t)) await freshTrack(ctx, t.id);
  const album = ctx.library.album(id);
  if (!album) return notFound(reply, 'album');
  const missing = album.tracks.filter((t) => !ctx.cache.peek(keyOf(ctx, t, preset))).length;
  if (!ctx.encoder.hasRoom(missing)) return encodeFailed(reply, new EncodeError('E_BUSY', 'the encode queue is full'));
  let members: Member[];
  try {
    members = membersOf(ctx, album, preset);
  } catch (e) {
    return encodeFailed(reply, e);
  }
  let cover: { picture: Picture; name: string } | undefined;
  const ct = album.coverTrack;
  if (ct?.source.cover) {
    const picture = await loadCover(ct.source.path, ct.source.cover, undefined, ctx.ffmpegPath).catch(() => undefined);
    if (picture) cover = { picture, name: picture.mime === 'image/png' ? 'cover.png' : 'cover.jpg' };
  }
  const zip = albumZip(members, cover, (e) =>
    ctx.log.warn({ event: 'zip', album: album.title, error: e.message }, `album zip cut short: ${e.message}`),
  );
  onAbort(reply, zip.abort);
  const name = safeComponent(`${album.artist} - ${album.title} (${preset.id})`, 'universal', '.zip');
  return reply
    .header('Content-Type', contentType('zip'))
    .header('Content-Disposition', disposition(name))
    .send(zip.stream);
}
