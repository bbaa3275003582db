import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPresets, parsePreset, selectPresets } from '../dist/src/index.js';
import { cli, tmp } from './helpers.js';

const BUILT_IN = ['flac', 'flac-cd', 'mp3-320', 'mp3-256', 'mp3-192', 'mp3-128', 'mp3-v0', 'mp3-v2', 'mp3-v4',
  'opus-64', 'opus-96', 'opus-128', 'opus-160', 'opus-192', 'opus-256'];

describe('presets', () => {
  it('every built-in preset the brief names exists, validates and has a description', () => {
    const all = loadPresets();
    for (const id of BUILT_IN) {
      expect(all.get(id), id).toBeDefined();
      expect(all.get(id)!.description.length).toBeGreaterThan(10);
    }
  });

  it('a bad preset is an error naming the file and the field', async () => {
    const dir = await tmp('presets');
    await writeFile(join(dir, 'broken.json'), JSON.stringify({ id: 'aac-256', description: 'AAC', container: 'mp4', extension: 'm4a', encoder: 'aac', encoderArgs: ['-b:a', 256] }));
    try {
      loadPresets({ dirs: [dir] });
      expect.unreachable();
    } catch (e) {
      const err = e as { code: string; message: string };
      expect(err.code).toBe('E_PRESET_INVALID');
      expect(err.message).toContain(join(dir, 'broken.json'));
      expect(err.message).toContain('/container');
      expect(err.message).toContain('/encoderArgs/1');
    }
  });

  it('invalid JSON and unknown fields are named too', async () => {
    const dir = await tmp('presets');
    await writeFile(join(dir, 'x.json'), '{ "id": ');
    expect(() => loadPresets({ dirs: [dir] })).toThrow(/x\.json: not valid JSON/);
    expect(() => parsePreset({ id: 'a', description: 'd', container: 'flac', extension: 'flac', encoder: 'flac', encoderArgs: [], bitrate: 3 }, 'inline'))
      .toThrow(/inline: \(top level\) must NOT have additional properties "bitrate"/);
  });

  it('users add and override presets from a folder without code (AAC, Vorbis, ALAC)', async () => {
    const dir = await tmp('presets');
    await writeFile(join(dir, 'aac.json'), JSON.stringify({ id: 'aac-256', description: 'AAC 256 kbit/s', container: 'm4a', extension: 'm4a', encoder: 'aac', encoderArgs: ['-b:a', '256k'], sampleRates: [44100, 48000], maxChannels: 2 }));
    await writeFile(join(dir, 'vorbis.json'), JSON.stringify({ id: 'vorbis-q6', description: 'Ogg Vorbis q6', container: 'ogg', extension: 'ogg', encoder: 'libvorbis', encoderArgs: ['-q:a', '6'] }));
    await writeFile(join(dir, 'mp3-v0.json'), JSON.stringify({ id: 'mp3-v0', description: 'my own V0', container: 'mp3', extension: 'mp3', encoder: 'libmp3lame', encoderArgs: ['-q:a', '0', '-joint_stereo', '0'] }));
    const all = loadPresets({ dirs: [dir] });
    expect(all.get('aac-256')!.encoder).toBe('aac');
    expect(all.get('vorbis-q6')!.container).toBe('ogg');
    expect(all.get('mp3-v0')!.description).toBe('my own V0');
    expect(all.get('mp3-v0')!.hash).not.toBe(loadPresets().get('mp3-v0')!.hash);
  });

  it('an unknown preset id lists the known ones', () => {
    expect(() => selectPresets(loadPresets(), ['mp3-v0', 'mp3-v9'])).toThrow(/unknown preset "mp3-v9"; known: .*mp3-v0/);
  });

  it('`audiofan presets` lists every preset with its description', async () => {
    const r = await cli(['presets']);
    expect(r.code).toBe(0);
    for (const id of BUILT_IN) expect(r.stdout).toMatch(new RegExp(`^${id}\\s+\\S`, 'm'));
    const dir = await tmp('presets');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'alac.json'), JSON.stringify({ id: 'alac', description: 'Apple Lossless in .m4a', container: 'm4a', extension: 'm4a', encoder: 'alac', encoderArgs: [], lossless: true }));
    const mine = await cli(['presets', '--presets-dir', dir]);
    expect(mine.stdout).toMatch(/^alac\s+Apple Lossless/m);
  });
});
