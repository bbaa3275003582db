/**
 * A real browser (playwright-core driving Debian's chromium) against `audiofan serve` on the demo library:
 * both albums listed with their covers, a track downloaded as opus-96 and an album as an mp3-v0 zip, the
 * files checked, and a screenshot of the page saved as a test artifact (test/artifacts/serve.png).
 * Skipped, saying why, where /usr/bin/chromium is missing (.ci/run installs it with apt).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBuffer } from 'music-metadata';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDemoLibrary } from '../dist/src/index.js';
import { ffmpeg, repo, tmp } from './helpers.js';
import { readZip, start, type Running } from './serve-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const artifacts = join(repo, 'test', 'artifacts');

describe.skipIf(!existsSync(CHROMIUM))(`the page in a browser (needs ${CHROMIUM}: apt install chromium)`, () => {
  let s: Running;
  let browser: BrowserContext;
  let dir: string;

  beforeAll(async () => {
    dir = await tmp('browser');
    const demo = await makeDemoLibrary(join(dir, 'demo'), ffmpeg(), 4);
    s = await start({ sources: [demo.library], cache: join(dir, 'cache') });
    // A fresh profile each time: nothing from an earlier run (cookies, cache) can make the test pass.
    browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      acceptDownloads: true,
      viewport: { width: 1200, height: 900 },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.server.close();
  });

  it('lists both demo albums with covers; downloads a track as opus-96 and an album as an mp3-v0 zip', async () => {
    const page = await browser.newPage();
    await page.goto(s.url);
    await page.waitForSelector('.album .track');
    const titles = await page.locator('.album .title').allTextContents();
    expect(titles).toEqual(['First Light', 'Second Wind']);
    // Each cover image was fetched and decoded by the browser (polled: images load after the list renders).
    const covers = () =>
      page
        .locator('.album img.cover')
        .evaluateAll((imgs) =>
          imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth),
        );
    await expect
      .poll(async () => (await covers()).every((w) => typeof w === 'number' && w > 0), { timeout: 10_000 })
      .toBe(true);
    expect(await covers()).toHaveLength(2);
    await expect.poll(() => page.locator('.album').first().locator('.meta').textContent()).toContain('Aurora Ensemble');

    const track = page.locator('.album').first().locator('.track', { hasText: 'Dawn Chorus' });
    await track.locator('select').selectOption('opus-96');
    const [dl] = await Promise.all([page.waitForEvent('download'), track.locator('a.dl').click()]);
    expect(dl.suggestedFilename()).toBe('Aurora Ensemble - Dawn Chorus.opus');
    const opus = await readFile((await dl.path())!);
    const meta = await parseBuffer(opus, { mimeType: 'audio/ogg' }, { duration: true });
    expect([meta.format.codec, meta.common.title, meta.common.album]).toEqual(['Opus', 'Dawn Chorus', 'First Light']);
    expect(meta.format.duration).toBeCloseTo(4, 0);

    const album = page.locator('.album', { hasText: 'Second Wind' });
    await album.locator('.album-actions select').selectOption('mp3-v0');
    const [zdl] = await Promise.all([page.waitForEvent('download'), album.locator('a.zip').click()]);
    expect(zdl.suggestedFilename()).toBe('Night Signals - Second Wind (mp3-v0).zip');
    const entries = readZip(await readFile((await zdl.path())!));
    expect(entries.map((e) => e.name)).toEqual([
      'folder.jpg'.replace('folder', 'cover'),
      '01 Pulse.mp3',
      '02 Hi-Res Horizon.mp3',
      '03 Tape Loop.mp3',
    ]);
    for (const e of entries.slice(1)) {
      const m = await parseBuffer(e.data!, { mimeType: 'audio/mpeg' }, { duration: true });
      expect(m.common.album).toBe('Second Wind');
      expect(m.format.duration).toBeCloseTo(4, 0);
    }

    // The page after the downloads: sizes of cached outputs are now exact.
    await page.reload();
    await page.waitForSelector('.album .track');
    await page.locator('#search').fill('');
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'serve.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(artifacts, 'serve-phone.png'), fullPage: true });
    expect(existsSync(join(artifacts, 'serve.png'))).toBe(true);
  });

  it('search filters albums by artist, album or title', async () => {
    const page = await browser.newPage();
    await page.goto(s.url);
    await page.waitForSelector('.album .track');
    await page.locator('#search').fill('horizon');
    await expect.poll(() => page.locator('.album:visible .title').allTextContents()).toEqual(['Second Wind']);
    await page.locator('#search').fill('aurora');
    await expect.poll(() => page.locator('.album:visible .title').allTextContents()).toEqual(['First Light']);
  });
});
