// Most feed elements do nothing but fill one field of the feed or an entry, the first such
// element winning. The format readers list those in tables (element → field, how to read it),
// so one place says which element fills which field, and their switches keep only the
// elements with real logic.
import { textOf } from './tree.js';
import type { XmlElement } from './xml.js';

/** A field of T, paired with how an element becomes that field's value. */
export type FieldRule<T> = { [K in keyof T]-?: readonly [field: K, read: (el: XmlElement) => T[K]] }[keyof T];

export type FieldTable<T> = ReadonlyMap<string, FieldRule<T>>;

/** A Map, so that an element named like an Object.prototype member ("constructor") is no rule. */
export function fieldTable<T>(rules: Record<string, FieldRule<T>>): FieldTable<T> {
  return new Map(Object.entries(rules));
}

/** For fields where an empty element means "not given" rather than "given as ''". */
export function nonEmptyText(el: XmlElement): string | undefined {
  return textOf(el) || undefined;
}

/**
 * Fills the field `table` gives for the element, unless an earlier element filled it; false when
 * the table has no rule for it. `key` defaults to the element's key (Atom passes it without "atom:").
 */
export function fillFromTable<T>(table: FieldTable<T>, target: T, el: XmlElement, key: string = el.key): boolean {
  const rule = table.get(key);
  if (rule === undefined) return false;
  const [field, read] = rule;
  target[field] ??= read(el);
  return true;
}
