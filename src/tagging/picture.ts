/**
 * Cover pictures as the containers store them: the FLAC PICTURE block layout (also used,
 * base64-encoded, as Ogg's METADATA_BLOCK_PICTURE), and the image facts it records.
 */

export interface Picture {
  /** ID3/FLAC picture type: 3 = front cover. */
  type: number;
  mime: string;
  description: string;
  width: number;
  height: number;
  /** Bits per pixel. */
  depth: number;
  /** Palette size for indexed images, else 0. */
  colors: number;
  data: Uint8Array;
}

export const FRONT_COVER = 3;

/** Width, height, bits per pixel and MIME type read from JPEG or PNG bytes; undefined for others. */
export function imageInfo(
  data: Uint8Array,
): { mime: string; width: number; height: number; depth: number } | undefined {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length > 24 && b.readUInt32BE(0) === 0x89504e47) {
    const bitDepth = b[24];
    const colorType = b[25];
    const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType as 0] ?? 3;
    return { mime: 'image/png', width: b.readUInt32BE(16), height: b.readUInt32BE(20), depth: bitDepth * channels };
  }
  if (b.length > 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) {
        i++;
        continue;
      }
      const marker = b[i + 1];
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        return {
          mime: 'image/jpeg',
          height: b.readUInt16BE(i + 5),
          width: b.readUInt16BE(i + 7),
          depth: b[i + 4] * b[i + 9],
        };
      }
      i += 2 + b.readUInt16BE(i + 2);
    }
  }
  return undefined;
}

/** A Picture for image bytes, filling in what the image itself says. */
export function pictureFrom(data: Uint8Array, type = FRONT_COVER, description = '', mime?: string): Picture {
  const info = imageInfo(data);
  return {
    type,
    mime: mime ?? info?.mime ?? 'image/jpeg',
    description,
    width: info?.width ?? 0,
    height: info?.height ?? 0,
    depth: info?.depth ?? 0,
    colors: 0,
    data,
  };
}

/** The FLAC PICTURE metadata block body (big-endian fields). */
/** The byte length of flacPictureBlock(p), without building it: 32 bytes of fields, MIME, description, image. */
export const flacPictureBlockLength = (p: Picture) =>
  32 + Buffer.byteLength(p.mime, 'latin1') + Buffer.byteLength(p.description) + p.data.length;

export function flacPictureBlock(p: Picture): Buffer {
  const mime = Buffer.from(p.mime, 'latin1');
  const desc = Buffer.from(p.description, 'utf8');
  const head = Buffer.alloc(8 + mime.length + 4 + desc.length + 20);
  let o = head.writeUInt32BE(p.type, 0);
  o = head.writeUInt32BE(mime.length, o);
  o += mime.copy(head, o);
  o = head.writeUInt32BE(desc.length, o);
  o += desc.copy(head, o);
  o = head.writeUInt32BE(p.width, o);
  o = head.writeUInt32BE(p.height, o);
  o = head.writeUInt32BE(p.depth, o);
  o = head.writeUInt32BE(p.colors, o);
  head.writeUInt32BE(p.data.length, o);
  return Buffer.concat([head, p.data]);
}
