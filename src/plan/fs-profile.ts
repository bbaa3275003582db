/**
 * Filesystem profiles: how to make one path component (a file or folder name) valid on a
 * target filesystem. The default, "universal", is the union of all of them, so an output tree
 * can be copied to a phone, a FAT32 stick or a Windows share as it is.
 */
import { AudiofanError } from '../errors.js';

export const FS_PROFILES = ['universal', 'posix', 'fat32', 'exfat', 'ntfs', 'android'] as const;
export type FsProfile = (typeof FS_PROFILES)[number];

interface Rules {
  /** Characters replaced by "_". */
  forbidden: RegExp;
  /** Strip trailing dots and spaces (Windows drops them silently, so two names could merge). */
  trimTrailing: boolean;
  /** CON, PRN, AUX, NUL, COM1-9, LPT1-9, with or without an extension. */
  deviceNames: boolean;
  /** Longest component: bytes of UTF-8, or UTF-16 code units. */
  max: { units: 'utf8' | 'utf16'; n: number }[];
  /** Names that differ only in case are the same file. */
  caseInsensitive: boolean;
}

const WINDOWS_CHARS = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;
const windows: Rules = {
  forbidden: WINDOWS_CHARS,
  trimTrailing: true,
  deviceNames: true,
  max: [{ units: 'utf16', n: 255 }],
  caseInsensitive: true,
};

const RULES: Record<FsProfile, Rules> = {
  posix: {
    forbidden: /[/\u0000]/g,
    trimTrailing: false,
    deviceNames: false,
    max: [{ units: 'utf8', n: 255 }],
    caseInsensitive: false,
  },
  fat32: windows,
  exfat: windows,
  ntfs: windows,
  // Android shared storage is FAT-like (sdcardfs/FUSE over FAT rules) whatever the disk underneath.
  android: windows,
  universal: {
    ...windows,
    max: [
      { units: 'utf16', n: 255 },
      { units: 'utf8', n: 255 },
    ],
  },
};

const DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\.|$)/i;

function fits(s: string, r: Rules): boolean {
  return r.max.every((m) => (m.units === 'utf8' ? Buffer.byteLength(s) : s.length) <= m.n);
}

/** Cut a string to fit, never inside a character. */
function truncate(s: string, r: Rules, reserve: string): string {
  if (fits(s + reserve, r)) return s;
  const chars = [...s];
  while (chars.length && !fits(chars.join('') + reserve, r)) chars.pop();
  return chars.join('');
}

/**
 * One valid path component: NFC, forbidden characters replaced, never hidden (no leading dot), never empty,
 * no device name, never ending in a dot or space where the profile's filesystems drop them, within the length limit
 * (keeping `ext`, which is appended as it is, e.g. ".mp3" or " (wav).mp3").
 */
export function safeComponent(name: string, profile: FsProfile, ext = ''): string {
  const r = RULES[profile];
  let s = name
    .normalize('NFC')
    .replace(/\u0000/g, '')
    .replace(r.forbidden, '_');
  // A leading dot hides a file on every Unix and from many players: each leading dot becomes "_" (so "." and ".."
  // cannot be made either).
  s = s.replace(/^\.+/, (dots) => '_'.repeat(dots.length));
  if (r.trimTrailing) s = s.replace(/[. ]+$/, '');
  if (s === '') s = '_';
  if (r.deviceNames && DEVICE.test(s + ext)) s = `_${s}`;
  s = truncate(s, r, ext);
  if (r.trimTrailing) s = s.replace(/[. ]+$/, '') || '_';
  return s + ext;
}

/** The key two output paths collide on: equal keys name the same file on that filesystem. */
export function collisionKey(path: string, profile: FsProfile): string {
  const p = path.normalize('NFC');
  return RULES[profile].caseInsensitive ? p.toLowerCase() : p;
}

export function parseProfile(v: string): FsProfile {
  if (!(FS_PROFILES as readonly string[]).includes(v)) {
    throw new AudiofanError('E_USAGE', `unknown filesystem profile "${v}"; choose one of ${FS_PROFILES.join(', ')}`);
  }
  return v as FsProfile;
}
