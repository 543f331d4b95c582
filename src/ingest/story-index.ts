// The near-duplicate look-up of recent stories, held in memory by the ingest writer.
//
// Kept as a table, LSH bands cost 32 rows per article in a B-tree keyed by random values: every
// group commit rewrote most of its pages, and that was half of a first ingest's time. Only the
// last CLUSTER_WINDOW of articles can be candidates, so the index lives here instead, rebuilt
// from the articles' stored signatures when a process starts (see story-sync.ts).
//
// Layout: fixed-size chunks of typed arrays (about 550 bytes per article, no per-entry objects
// for the collector, and growing never copies what is there), plus one chained hash table from
// band key to entry. Entry e is band e % BANDS of article e / BANDS. Signatures keep the low 16
// bits of each value, all that similarity() compares.
import { BANDS, NUM_HASHES } from './dedup.js';

/** How far back a new article looks for the story it may belong to. */
export const CLUSTER_WINDOW_MS = 14 * 24 * 3600 * 1000;

const CHUNK = 4096;

export interface StoryCandidate {
  id: number;
  /** The story's cluster (the id of its first article). */
  cluster: number;
  sig: Uint16Array;
}

interface Chunk {
  ids: Float64Array;
  clusters: Float64Array;
  fetched: Float64Array;
  sigs: Uint16Array;
  /** Band key of each entry. */
  keys: Uint32Array;
  /** Next entry + 1 in the same bucket (0 ends the chain). */
  next: Uint32Array;
}

const newChunk = (): Chunk => ({
  ids: new Float64Array(CHUNK),
  clusters: new Float64Array(CHUNK),
  fetched: new Float64Array(CHUNK),
  sigs: new Uint16Array(CHUNK * NUM_HASHES),
  keys: new Uint32Array(CHUNK * BANDS),
  next: new Uint32Array(CHUNK * BANDS),
});

export class StoryIndex {
  private chunks: Chunk[] = [];
  private count = 0;
  /** Bucket → first entry + 1. Kept at least as long as the number of entries. */
  private heads = new Uint32Array(1024);
  private readonly slotOf = new Map<number, number>();

  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  /** Adds a stored article; a second add of the same id only updates its cluster. */
  add(id: number, cluster: number, sig: Uint32Array | Uint16Array, bands: ArrayLike<number>, fetchedAtMs: number): void {
    if (bands.length !== BANDS) throw new Error(`expected ${BANDS} band keys, got ${bands.length}`);
    const known = this.slotOf.get(id);
    if (known !== undefined) {
      this.chunks[Math.floor(known / CHUNK)]!.clusters[known % CHUNK] = cluster;
      return;
    }
    // Rehash first: it links every entry of the first `count` articles, and this one has no keys yet.
    if ((this.count + 1) * BANDS > this.heads.length) this.rehash(this.heads.length * 2);
    const slot = this.count++;
    if (slot % CHUNK === 0) this.chunks.push(newChunk());
    const c = this.chunks[this.chunks.length - 1]!;
    const o = slot % CHUNK;
    c.ids[o] = id;
    c.clusters[o] = cluster;
    c.fetched[o] = fetchedAtMs;
    c.sigs.set(sig, o * NUM_HASHES);
    this.slotOf.set(id, slot);
    const mask = this.heads.length - 1;
    for (let b = 0; b < BANDS; b++) {
      const key = bands[b]! >>> 0;
      const e = slot * BANDS + b;
      c.keys[o * BANDS + b] = key;
      c.next[o * BANDS + b] = this.heads[key & mask]!;
      this.heads[key & mask] = e + 1;
    }
  }

  /** Stored articles fetched at or after `sinceMs` sharing a band with `bands`, oldest id first. */
  candidates(bands: ArrayLike<number>, sinceMs: number): StoryCandidate[] {
    const found = new Set<number>();
    const mask = this.heads.length - 1;
    const per = CHUNK * BANDS;
    for (let b = 0; b < bands.length; b++) {
      const key = bands[b]! >>> 0;
      for (let e = this.heads[key & mask]!; e !== 0; ) {
        const c = this.chunks[Math.floor((e - 1) / per)]!;
        const at = (e - 1) % per;
        if (c.keys[at] === key) found.add(Math.floor((e - 1) / BANDS));
        e = c.next[at]!;
      }
    }
    const out: StoryCandidate[] = [];
    for (const slot of found) {
      const c = this.chunks[Math.floor(slot / CHUNK)]!;
      const o = slot % CHUNK;
      if (c.fetched[o]! < sinceMs) continue;
      out.push({ id: c.ids[o]!, cluster: c.clusters[o]!, sig: c.sigs.subarray(o * NUM_HASHES, (o + 1) * NUM_HASHES) });
    }
    return out.sort((x, y) => x.id - y.id);
  }

  /**
   * Drops articles fetched before `beforeMs`. Rebuilding costs one pass over the index, so it
   * waits until at least a quarter of it is stale.
   */
  expire(beforeMs: number): void {
    let stale = 0;
    this.each((c, o) => {
      if (c.fetched[o]! < beforeMs) stale++;
    });
    if (stale === 0 || stale * 4 < this.count) return;
    const old = this.chunks;
    const total = this.count;
    this.chunks = [];
    this.count = 0;
    this.slotOf.clear();
    this.heads = new Uint32Array(1024);
    for (let s = 0; s < total; s++) {
      const c = old[Math.floor(s / CHUNK)]!;
      const o = s % CHUNK;
      if (c.fetched[o]! < beforeMs) continue;
      this.add(c.ids[o]!, c.clusters[o]!, c.sigs.subarray(o * NUM_HASHES, (o + 1) * NUM_HASHES), c.keys.subarray(o * BANDS, (o + 1) * BANDS), c.fetched[o]!);
    }
  }

  private each(fn: (c: Chunk, o: number) => void): void {
    for (let s = 0; s < this.count; s++) fn(this.chunks[Math.floor(s / CHUNK)]!, s % CHUNK);
  }

  private rehash(size: number): void {
    this.heads = new Uint32Array(size);
    const mask = size - 1;
    const per = CHUNK * BANDS;
    for (let e = 0; e < this.count * BANDS; e++) {
      const c = this.chunks[Math.floor(e / per)]!;
      const at = e % per;
      const key = c.keys[at]!;
      c.next[at] = this.heads[key & mask]!;
      this.heads[key & mask] = e + 1;
    }
  }
}
