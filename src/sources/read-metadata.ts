/**
 * Read audio metadata with music-metadata, choosing the parser from the file's content.
 */
import { fileTypeFromFile } from 'file-type';
import { parseFromTokenizer, type IAudioMetadata } from 'music-metadata';
import { fromFile } from 'strtok3';

/** Read a file's audio metadata, choosing the parser from its content. Throws on unreadable audio. */
export async function readAudioMetadata(path: string, opts: { skipCovers?: boolean } = {}): Promise<IAudioMetadata> {
  const type = await fileTypeFromFile(path);
  const tokenizer = await fromFile(path);
  try {
    // When the content is recognised, hide the name so music-metadata trusts the content and not
    // the extension; when it is not, the extension is the only hint left.
    if (type) {
      (tokenizer.fileInfo as { path?: string }).path = undefined;
      tokenizer.fileInfo.mimeType = type.mime;
    }
    return await parseFromTokenizer(tokenizer, { duration: true, skipCovers: opts.skipCovers ?? false });
  } finally {
    await tokenizer.close();
  }
}
