// Front-ends name rows by id or by a natural key (URL, slug, email); ids are all digits and no
// natural key is, so one rule tells them apart everywhere.

/** The id a key names (a number, or all digits), or undefined for a natural key. */
export function idOf(key: string | number): number | undefined {
  if (typeof key === 'number') return key;
  const text = key.trim();
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}
