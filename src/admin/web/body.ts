// Admin form bodies. Like the subscriber pages (http/forms.ts), but file uploads are kept: OPML
// and CSV files come in as multipart parts with a filename. Bodies are capped at UPLOAD_LIMIT.
import type { FastifyInstance } from 'fastify';
import { type FormFields, registerFormParsers } from '../../http/forms.js';

export const UPLOAD_LIMIT = 10 * 1024 * 1024;
const MAX_PARTS = 200;

// Uploaded files of a parsed body, beside its text fields (which the guard and handlers read as usual).
const uploads = new WeakMap<object, Map<string, Buffer>>();

/** The bytes of an uploaded file field, if one was sent and is not empty. */
export function uploadedFile(body: unknown, name: string): Buffer | undefined {
  const file = body && typeof body === 'object' ? uploads.get(body)?.get(name) : undefined;
  return file && file.length > 0 ? file : undefined;
}

const bad = (why: string) => Object.assign(new Error(`malformed multipart body: ${why}`), { statusCode: 400 });

export function parseMultipartWithFiles(body: Buffer, boundary: string): FormFields {
  const fields = Object.create(null) as FormFields;
  const files = new Map<string, Buffer>();
  uploads.set(fields, files);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // The first delimiter may start the body without the CRLF before it.
  let at = body.indexOf(Buffer.from(`--${boundary}`));
  if (at < 0) throw bad('no boundary');
  at += delimiter.length - 2;
  for (let n = 0; ; n++) {
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return fields;
    if (n >= MAX_PARTS) throw bad('too many parts');
    const next = body.indexOf(delimiter, at);
    if (next < 0) throw bad('unterminated part');
    const part = body.subarray(body.indexOf('\n', at) + 1, next);
    const split = part.indexOf('\r\n\r\n');
    const head = (split < 0 ? part : part.subarray(0, split)).toString('utf8');
    const content = split < 0 ? Buffer.alloc(0) : part.subarray(split + 4);
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(head)?.[1] ?? '';
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined) {
      if (/(?:^|;)\s*filename\*?=/i.test(disposition)) files.set(name, Buffer.from(content));
      else fields[name] = [...(fields[name] ?? []), content.toString('utf8')];
    }
    at = next + delimiter.length;
  }
}

export function registerAdminParsers(app: FastifyInstance): void {
  registerFormParsers(app, { bodyLimit: UPLOAD_LIMIT, multipart: parseMultipartWithFiles });
}
