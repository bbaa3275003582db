/**
 * JSON with comments, for config files: `//` and `/* *\/` comments are blanked (inside strings they are text)
 * and JSON.parse does the rest, so an error's position still points into the file as written.
 */

/** The text with every comment outside strings replaced by spaces (newlines kept). */
export function stripComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      // A string, escapes included, copied as it is.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const j = end < 0 ? text.length : end;
      out += ' '.repeat(j - i);
      i = j;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const j = end < 0 ? text.length : end + 2;
      out += text.slice(i, j).replace(/[^\n]/g, ' ');
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** JSON.parse after stripComments. Throws JSON.parse's SyntaxError. */
export function parseJsonc(text: string): unknown {
  return JSON.parse(stripComments(text));
}
