// Structured columns (source options, newsletter filters) are JSON text (see schema.ts). A row
// edited by hand or written by an older version may hold anything, so readers take what they
// understand from an object and treat anything else as no settings.

/** The JSON object stored in a text column, or {} when the text is not one. */
export function jsonObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  return parsed as Record<string, unknown>;
}
