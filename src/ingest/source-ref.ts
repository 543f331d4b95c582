import type { SourceRef } from '../sources/types.js';
import type { SourceRow } from '../store/schema.js';
import { sourceOptions } from '../store/sources.js';

/** The part of a stored source its reader sees. */
export function toSourceRef(row: SourceRow): SourceRef {
  return {
    id: row.id,
    kind: row.kind,
    url: row.url,
    name: row.name,
    etag: row.etag,
    lastModified: row.last_modified,
    options: sourceOptions(row),
  };
}
