// DOCTYPE declarations are skipped, never interpreted. All we keep is which entity names the
// internal subset declares (a reference to one is well-formed XML, so not an error, but it is
// never expanded) and whether an external DTD exists (undeclared names may then be legal).
import type { EntityContext } from './entities.js';

export interface Scan {
  text: string;
  fail(message: string, pos: number): void;
  entities: EntityContext;
}

/** Skips `<!DOCTYPE …>` starting at `at`; returns the position after it and its head text. */
export function skipDoctype(s: Scan, at: number): { end: number; head: string } {
  const { text } = s;
  const n = text.length;
  let j = at + 9;
  let quote = 0;
  let subsetStart = -1;
  for (; j < n; j++) {
    const c = text.charCodeAt(j);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) {
      quote = c;
    } else if (c === 91 /* [ */) {
      subsetStart = j;
      j = skipSubset(s, j + 1);
    } else if (c === 62 /* > */) {
      break;
    }
  }
  const head = text.slice(at, subsetStart < 0 ? j : subsetStart);
  if (/\b(SYSTEM|PUBLIC)\b/.test(head)) s.entities.externalDtd = true;
  if (j >= n) s.fail('unterminated DOCTYPE', at);
  return { end: j + 1, head };
}

/** Skips the internal subset up to its closing "]", stepping over quoted values whole. */
function skipSubset(s: Scan, from: number): number {
  const { text, entities } = s;
  const n = text.length;
  let j = from;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === 93 /* ] */) return j;
    if (c === 34 || c === 39) {
      const close = text.indexOf(String.fromCharCode(c), j + 1);
      j = close < 0 ? n : close + 1;
    } else if (c === 60 && text.startsWith('<!--', j)) {
      const close = text.indexOf('-->', j + 4);
      j = close < 0 ? n : close + 3;
    } else if (c === 60 && text.startsWith('<!ENTITY', j)) {
      const m = /^<!ENTITY\s+(%\s+)?([^\s%;>]+)/.exec(text.slice(j, j + 300));
      // Parameter entities pull in declarations we never read, so names may be defined there.
      if (m?.[1]) entities.externalDtd = true;
      else if (m) {
        entities.declared ??= new Set();
        entities.declared.add(m[2]!);
      }
      j += 8;
    } else {
      if (c === 37 /* % */) entities.externalDtd = true;
      j++;
    }
  }
  return j;
}
