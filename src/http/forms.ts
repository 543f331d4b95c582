// Form bodies without a plugin: fastify parses neither urlencoded nor multipart bodies, and
// RFC 8058 one-click POSTs arrive as either. Both are small here (an address, a token, a few
// checkboxes), so bodies are capped hard and files in multipart bodies are dropped unread.
import type { FastifyInstance } from 'fastify';

/** Every field's values in order; a null prototype, so "__proto__" is just a name. */
export type FormFields = Record<string, string[]>;

export const FORM_BODY_LIMIT = 32 * 1024;
const MAX_FIELDS = 200;

function newFields(): FormFields {
  return Object.create(null) as FormFields;
}

function add(fields: FormFields, name: string, value: string): void {
  const values = fields[name];
  if (values) values.push(value);
  else fields[name] = [value];
}

export function parseUrlencoded(body: string): FormFields {
  const fields = newFields();
  let n = 0;
  for (const [name, value] of new URLSearchParams(body)) {
    if (++n > MAX_FIELDS) throw Object.assign(new Error('too many form fields'), { statusCode: 400 });
    add(fields, name, value);
  }
  return fields;
}

/** The boundary of a multipart/form-data content type, or undefined when it has none. */
export function multipartBoundary(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

const bad = (why: string) => Object.assign(new Error(`malformed multipart body: ${why}`), { statusCode: 400 });

/** The text fields of a multipart/form-data body (RFC 7578); parts with a filename are skipped. */
export function parseMultipart(body: Buffer, boundary: string): FormFields {
  const fields = newFields();
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at < 0) throw bad('no boundary');
  for (let n = 0; ; n++) {
    at += delimiter.length;
    // "--" after a delimiter closes the body; anything after it is epilogue.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return fields;
    if (n >= MAX_FIELDS) throw bad('too many parts');
    const next = body.indexOf(delimiter, at);
    if (next < 0) throw bad('unterminated part');
    // The CRLF before a delimiter belongs to the delimiter, not to the part's content.
    const part = body
      .subarray(at, next)
      .toString('utf8')
      .replace(/^[ \t]*\r?\n/, '')
      .replace(/\r?\n$/, '');
    const split = /\r?\n\r?\n/.exec(part);
    const head = split ? part.slice(0, split.index) : part;
    const content = split ? part.slice(split.index + split[0].length) : '';
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(head)?.[1] ?? '';
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1] ?? /(?:^|;)\s*name=([^\s;]+)/i.exec(disposition)?.[1];
    if (name !== undefined && !/(?:^|;)\s*filename\*?=/i.test(disposition)) add(fields, name, content);
    at = next;
  }
}

/**
 * Registers both parsers on an (encapsulated) instance. Other media types, and none, are read up
 * to the cap and ignored: a one-click POST from a mail client must not fail on its content type.
 * The admin pages pass a larger cap and a multipart parser that keeps uploaded files.
 */
export function registerFormParsers(
  app: FastifyInstance,
  custom: { bodyLimit?: number; multipart?: (body: Buffer, boundary: string) => FormFields } = {},
): void {
  const opts = { parseAs: 'buffer' as const, bodyLimit: custom.bodyLimit ?? FORM_BODY_LIMIT };
  const multipart = custom.multipart ?? parseMultipart;
  app.addContentTypeParser('application/x-www-form-urlencoded', opts, (_request, body, done) => {
    try {
      done(null, parseUrlencoded((body as unknown as Buffer).toString('utf8')));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('multipart/form-data', opts, (request, body, done) => {
    const boundary = multipartBoundary(request.headers['content-type'] ?? '');
    try {
      if (!boundary) throw bad('no boundary parameter');
      done(null, multipart(body as unknown as Buffer, boundary));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('*', opts, (_request, _body, done) => done(null, newFields()));
}

/** The first value of a field, if the body was a form and had it. */
export function formValue(body: unknown, name: string): string | undefined {
  return formValues(body, name)[0];
}

export function formValues(body: unknown, name: string): string[] {
  if (!body || typeof body !== 'object') return [];
  const values = (body as FormFields)[name];
  return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [];
}
