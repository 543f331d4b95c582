// Whitespace and invisible characters, shared by the HTML cleaner and the text helpers (a
// module of its own so that neither has to import the other).

// Zero-width characters, soft hyphens, BOMs and C0/C1 controls other than tab and newline.
export const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200d\u2060\ufeff]/g;
const INVISIBLE_ANY = new RegExp(INVISIBLE.source);

/**
 * NFC, invisible characters removed, paragraphs (blank-line separated) kept, single line breaks
 * inside a paragraph kept, every other run of whitespace one space.
 */
export function normalizeText(text: string): string {
  let s = text.normalize('NFC');
  if (INVISIBLE_ANY.test(s)) s = s.replace(INVISIBLE, '');
  if (s.includes('\r')) s = s.replace(/\r\n?/g, '\n');
  // Two regex passes instead of split/map/join: this runs on every stored article.
  return s
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n[\n ]*/g, (m) => (m.indexOf('\n') === m.lastIndexOf('\n') ? '\n' : '\n\n'))
    .trim();
}
