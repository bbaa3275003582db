/**
 * Path mapping (`--map from=to`) and the queue option's URL: tables of named rows.
 */
import { describe, expect, it } from 'vitest';
import { mapPath, parseMappings } from '../../../src/queue/path-map.js';
import { connectionProblem, describeConnection, queueSettingsProblem, redactUrl } from '../../../src/queue/url.js';
import { redisOptions } from '../../../src/queue/connection.js';
import { attemptStem, attemptTemp, queueName } from '../../../src/queue/naming.js';
import { resolveSettings } from '../../../src/cli/settings.js';

const maps = parseMappings(['/mnt/music=/volume1/music', '/mnt/music/classical=/srv/classical', '/out/=/data/out']);

describe('mapPath', () => {
  it.each([
    ['a path under a mapping', '/mnt/music/a b/01.flac', '/volume1/music/a b/01.flac'],
    ['the longest prefix wins', '/mnt/music/classical/x.flac', '/srv/classical/x.flac'],
    ['the prefix itself', '/mnt/music', '/volume1/music'],
    ['whole components only', '/mnt/musicals/x.flac', '/mnt/musicals/x.flac'],
    ['a trailing slash in the mapping', '/out/flac/a.flac', '/data/out/flac/a.flac'],
    ['no mapping: unchanged', '/elsewhere/a.flac', '/elsewhere/a.flac'],
  ])('%s', (_name, from, to) => expect(mapPath(maps, from)).toBe(to));

  it.each([
    ['no =', '/a'],
    ['relative from', 'a=/b'],
    ['relative to', '/a=b'],
    ['empty to', '/a='],
  ])('refuses %s, naming the pair', (_n, pair) => expect(() => parseMappings([pair])).toThrow(`got "${pair}"`));
});

describe('the queue URL', () => {
  it.each([
    ['a password', 'redis://user:s3cret@host:6379/0', 'redis://user:***@host:6379/0'],
    ['a password alone', 'rediss://:s3cret@host/2', 'rediss://:***@host/2'],
    ['none', 'redis://host:6379', 'redis://host:6379'],
  ])('is logged without its password: %s', (_n, url, shown) => {
    expect(redactUrl(url)).toBe(shown);
    expect(describeConnection(url)).not.toContain('s3cret');
  });

  it.each([
    ['another scheme', 'http://host', /expected a redis:\/\/ or rediss:\/\/ URL, got http:/],
    ['a database that is not a number', 'redis://host/x', /the database must be a number/],
    ['no URL at all', 'host:6379', /expected a redis:\/\/ or rediss:\/\/ URL/],
  ])('is refused: %s', (_n, url, why) => expect(connectionProblem(url)).toMatch(why));

  it('a bad URL is refused without showing its password', () => {
    expect(connectionProblem('http://u:s3cret@host')).not.toContain('s3cret');
    expect(queueSettingsProblem({ connection: 'http://u:s3cret@host' })).not.toContain('s3cret');
  });

  it.each([
    ['--queue', { queue: 'http://u:s3cret@host' }, {}],
    ['AUDIOFAN_QUEUE', {}, { AUDIOFAN_QUEUE: 'http://u:s3cret@host' }],
  ])('a bad %s is refused naming it, without its password', (from, flags, env) => {
    expect(() => resolveSettings(flags, env)).toThrow(`${from}: connection: expected a redis:// or rediss:// URL`);
    expect(() => resolveSettings(flags, env)).toThrow('http://u:***@host');
    expect(() => resolveSettings(flags, env)).not.toThrow('s3cret');
  });

  it('credentials, database and TLS come from the URL', () => {
    expect(redisOptions('rediss://me:p%40ss@cache.lan:6380/3')).toMatchObject({
      host: 'cache.lan',
      port: 6380,
      username: 'me',
      password: 'p@ss',
      db: 3,
      tls: { servername: 'cache.lan' },
      maxRetriesPerRequest: null,
    });
    expect(redisOptions('redis://h')).not.toHaveProperty('tls');
  });
});

describe('names', () => {
  it('one queue per output folder, the same every run', () => {
    expect(queueName('/out/a')).toBe(queueName('/out/a'));
    expect(queueName('/out/a')).not.toBe(queueName('/out/b'));
    expect(queueName('/out/a')).toMatch(/^out-[0-9a-f]{16}$/);
  });
  it("an attempt's temp names share the coordinator's stem and stay sweepable", () => {
    const t = '/o/flac/.audiofan-12-0badc0de.flac.partial';
    expect(attemptTemp(t, 'wabc123')).toBe('/o/flac/.audiofan-12-0badc0de.flac.wabc123.partial');
    expect(attemptTemp(t, 'wabc123').startsWith(attemptStem(t))).toBe(true);
    expect(/^\.audiofan-(\d+)-[0-9a-f]{8}\.[^/]*\.partial$/.test('.audiofan-12-0badc0de.flac.wabc123.partial')).toBe(
      true,
    );
  });
});
