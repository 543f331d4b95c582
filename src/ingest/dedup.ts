// Near-duplicate detection: the same story from several outlets gets one cluster id.
//
// MinHash over word shingles estimates the Jaccard similarity of two bodies; LSH bands turn
// "which stored articles could be similar" into exact-match look-ups on band keys. Titles are
// left out on purpose (outlets rewrite headlines, and same-topic headlines look alike), and
// short texts get no signature at all: two unrelated 20-word briefs share too much boilerplate
// ("prices rose on Monday") for a similarity to mean the same story.
import { words } from './text.js';

export const NUM_HASHES = 128;
/**
 * 32 bands of 3 rows (the first 96 values; all 128 still estimate the similarity). A pair at
 * Jaccard s shares a band with probability 1 − (1 − s³)³²: 0.88 at 0.4, 0.99 at 0.5, 0.03 at
 * 0.1, so stories at the threshold are found while same-topic stories rarely even become
 * candidates. 32×4 would find only 56% of pairs at 0.4; more bands would add rows per article.
 */
export const BANDS = 32;
export const ROWS_PER_BAND = 3;
/** Texts with fewer words get no signature, so briefs never cluster. */
export const MIN_WORDS = 30;
/** Estimated Jaccard from which two bodies are one story (tuned on test/ingest/dedup.test.ts). */
export const DEFAULT_THRESHOLD = 0.4;

/**
 * Words per shingle, for every language. Measured on test/ingest/fixtures/stories.ts (exact
 * Jaccard, rewrite vs. same-topic other story): English k=2 0.60/0.08, k=3 0.53/0.03; Chinese
 * (Segmenter words, ~1.7 characters each) k=2 0.56/0.09, k=3 0.50/0.045. Three words separate
 * best in both, so Chinese gets no shorter shingles.
 */
const SHINGLE_WORDS = 3;

/** splitmix32: a fixed seed gives the same permutations in every process and every release. */
function seededUint32s(seed: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    out[i] = (z ^ (z >>> 16)) >>> 0;
  }
  return out;
}

// Changing these seeds invalidates every stored signature: don't.
const MULTIPLIERS = seededUint32s(0x7469_6469, NUM_HASHES).map((a) => a | 1);
const XORS = seededUint32s(0x6e67_7321, NUM_HASHES);

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** murmur3's finalizer: spreads every input bit over the whole word. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The MinHash signature of a body text (128 × uint32), or null when it has fewer than
 * MIN_WORDS words. Each permutation is x → xorshift((x ^ b) · a) with a odd: a bijection of
 * the 32-bit space, applied to a 32-bit hash of each shingle.
 */
export function signature(text: string, lang: string): Uint32Array | null {
  return signatureOfWords(words(text, lang));
}

/** signature() of words already split (ingest has them from the search column). */
export function signatureOfWords(ws: readonly string[]): Uint32Array | null {
  if (ws.length < MIN_WORDS) return null;
  const k = SHINGLE_WORDS;
  const wordHashes = ws.map(fnv1a);
  const sig = new Uint32Array(NUM_HASHES).fill(0xffffffff);
  for (let i = 0; i + k <= wordHashes.length; i++) {
    let x = 0;
    for (let j = 0; j < k; j++) x = fmix32(x ^ wordHashes[i + j]!) + j;
    x >>>= 0;
    for (let p = 0; p < NUM_HASHES; p++) {
      let v = Math.imul(x ^ XORS[p]!, MULTIPLIERS[p]!);
      v = (v ^ (v >>> 15)) >>> 0;
      if (v < sig[p]!) sig[p] = v;
    }
  }
  return sig;
}

/**
 * LSH band keys: two signatures sharing any key are candidates. Each band's hash is seeded with
 * the band's index, so equal rows in different bands give different keys; a rare collision only
 * adds a candidate, which the similarity check then turns away.
 */
export function bandKeys(sig: Uint32Array): Uint32Array {
  const keys = new Uint32Array(BANDS);
  for (let b = 0; b < BANDS; b++) {
    let h = b;
    for (let r = 0; r < ROWS_PER_BAND; r++) h = fmix32(h ^ sig[b * ROWS_PER_BAND + r]!) + r;
    keys[b] = fmix32(h);
  }
  return keys;
}

/**
 * Estimated Jaccard similarity of the two texts' shingle sets, from the low 16 bits of each
 * MinHash value (b-bit minwise hashing): two different minima agree there once in 65,536, far
 * below the estimate's own noise, and it halves what the in-memory story index keeps.
 */
export function similarity(a: Uint32Array | Uint16Array, b: Uint32Array | Uint16Array): number {
  if (a.length !== b.length) throw new Error(`cannot compare MinHash signatures of ${a.length} and ${b.length} values`);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (((a[i]! ^ b[i]!) & 0xffff) === 0) same++;
  return a.length ? same / a.length : 0;
}

/** Base64 of the little-endian uint32s (the articles.minhash column). */
export function encodeSignature(sig: Uint32Array): string {
  const buf = Buffer.alloc(sig.length * 4);
  for (let i = 0; i < sig.length; i++) buf.writeUInt32LE(sig[i]!, i * 4);
  return buf.toString('base64');
}

export function decodeSignature(s: string): Uint32Array {
  const buf = Buffer.from(s, 'base64');
  if (buf.length !== NUM_HASHES * 4) {
    throw new Error(`stored MinHash signature has ${buf.length} bytes, expected ${NUM_HASHES * 4}: recompute it from the article text`);
  }
  const out = new Uint32Array(NUM_HASHES);
  for (let i = 0; i < NUM_HASHES; i++) out[i] = buf.readUInt32LE(i * 4);
  return out;
}

export interface ClusterCandidate {
  id: number;
  /** The candidate's story: the id of its first article. */
  cluster: number;
  sig: Uint32Array | Uint16Array;
}

/**
 * The cluster of the most similar candidate when its similarity reaches `threshold`, else null.
 * Ties go to the older cluster (smaller id), so the result never depends on candidate order.
 */
export function assignCluster(sig: Uint32Array, candidates: readonly ClusterCandidate[], threshold = DEFAULT_THRESHOLD): number | null {
  let best: number | null = null;
  let bestScore = -1;
  for (const c of candidates) {
    const score = similarity(sig, c.sig);
    if (score > bestScore || (score === bestScore && best !== null && c.cluster < best)) {
      bestScore = score;
      best = c.cluster;
    }
  }
  return best !== null && bestScore >= threshold ? best : null;
}
