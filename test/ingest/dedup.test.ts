import { describe, expect, it } from 'vitest';
import {
  assignCluster,
  BANDS,
  bandKeys,
  DEFAULT_THRESHOLD,
  decodeSignature,
  encodeSignature,
  NUM_HASHES,
  signature,
  similarity,
} from '../../src/ingest/dedup.js';
import { enOtherStory, enRewrite, enWire, zhOtherStory, zhRewrite, zhWire } from './fixtures/stories.js';

function sig(text: string, lang: string): Uint32Array {
  const s = signature(text, lang);
  if (!s) throw new Error('expected a signature');
  return s;
}

/** Stores articles one after another the way ingest does: candidates are those sharing a band. */
function clusterAll(texts: { text: string; lang: string }[]): (number | null)[] {
  const stored: { id: number; cluster: number; sig: Uint32Array; bands: Set<number> }[] = [];
  return texts.map(({ text, lang }, i) => {
    const s = sig(text, lang);
    const bands = [...bandKeys(s)];
    const candidates = stored.filter((row) => bands.some((b) => row.bands.has(b)));
    const cluster = assignCluster(s, candidates);
    stored.push({ id: i + 1, cluster: cluster ?? i + 1, sig: s, bands: new Set(bands) });
    return cluster;
  });
}

describe('near-duplicate stories (acceptance 7)', () => {
  it.each([
    ['English', enWire, enRewrite, enOtherStory, 'en'],
    ['Chinese', zhWire, zhRewrite, zhOtherStory, 'zh'],
  ])('%s: a rewrite of the same story joins its cluster, a different cotton-price story does not', (_l, wire, rewrite, other, lang) => {
    const a = sig(wire, lang);
    const b = sig(rewrite, lang);
    const c = sig(other, lang);
    expect(similarity(a, b)).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(similarity(a, c)).toBeLessThan(0.15);
    expect(similarity(b, c)).toBeLessThan(0.15);

    // Through the LSH bands, as ingest finds candidates: wire = article 1, rewrite = 2, other = 3.
    expect(
      clusterAll([
        { text: wire, lang },
        { text: rewrite, lang },
        { text: other, lang },
      ]),
    ).toEqual([null, 1, null]);
    // Order does not matter: the other story first, then the two outlets.
    expect(
      clusterAll([
        { text: other, lang },
        { text: rewrite, lang },
        { text: wire, lang },
      ]),
    ).toEqual([null, null, 2]);
  });

  it('ignores the title: the same body under two headlines is one story', () => {
    const a = sig(`Cotton hits two-month high\n\n${enWire}`, 'en');
    const b = sig(enWire, 'en');
    expect(similarity(a, b)).toBeGreaterThan(0.9);
  });

  it('a third outlet joins the existing cluster, not a new one', () => {
    const third = enWire.replace('Analysts cautioned', 'Market analysts warned').replace('next week', 'on Tuesday');
    expect(
      clusterAll([
        { text: enWire, lang: 'en' },
        { text: enRewrite, lang: 'en' },
        { text: third, lang: 'en' },
      ]),
    ).toEqual([null, 1, 1]);
  });
});

describe('signature', () => {
  it('is deterministic and has 128 values', () => {
    const a = sig(enWire, 'en');
    expect(a).toHaveLength(NUM_HASHES);
    expect([...sig(enWire, 'en')]).toEqual([...a]);
    expect(similarity(a, sig(enWire, 'en'))).toBe(1);
  });

  it('gives very short texts no signature, so briefs never cluster', () => {
    expect(signature('Cotton prices rose on Monday as mills bought more fibre.', 'en')).toBeNull();
    expect(signature('周一棉花价格上涨，纺织企业增加采购。', 'zh')).toBeNull();
    expect(signature('', 'en')).toBeNull();
  });

  it('is blind to case, punctuation and full-width forms', () => {
    const plain = enWire;
    const shouted = enWire.toUpperCase().replace(/, /g, ' ; ');
    expect(similarity(sig(plain, 'en'), sig(shouted, 'en'))).toBe(1);
    const fullWidth = zhWire.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    expect(similarity(sig(zhWire, 'zh'), sig(fullWidth, 'zh'))).toBe(1);
  });

  it('estimates Jaccard similarity without bias on unrelated texts', () => {
    const scores = [enOtherStory, zhOtherStory, zhWire].map((t, i) => similarity(sig(enWire, 'en'), sig(t, i ? 'zh' : 'en')));
    for (const s of scores) expect(s).toBeLessThan(0.15);
  });
});

describe('bands and encoding', () => {
  it('makes BANDS distinct 32-bit keys, each band seeded with its index', () => {
    const keys = bandKeys(sig(enWire, 'en'));
    expect(keys).toHaveLength(BANDS);
    expect(new Set(keys).size).toBe(BANDS);
    // Identical rows in every band still give a different key per band.
    expect(new Set(bandKeys(new Uint32Array(NUM_HASHES))).size).toBe(BANDS);
    expect([...bandKeys(sig(enWire, 'en'))]).toEqual([...keys]);
  });

  it('round-trips signatures through base64', () => {
    const a = sig(zhWire, 'zh');
    const encoded = encodeSignature(a);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(encoded, 'base64')).toHaveLength(NUM_HASHES * 4);
    expect([...decodeSignature(encoded)]).toEqual([...a]);
  });

  it('refuses a truncated signature with a clear message', () => {
    expect(() => decodeSignature('AAAA')).toThrow(/3 bytes, expected 512/);
  });

  it('refuses to compare signatures of different lengths', () => {
    expect(() => similarity(new Uint32Array(4), new Uint32Array(8))).toThrow(/4 and 8/);
  });
});

describe('assignCluster', () => {
  const a = sig(enWire, 'en');
  const rewrite = sig(enRewrite, 'en');
  const other = sig(enOtherStory, 'en');

  it('returns the best candidate’s cluster', () => {
    expect(assignCluster(a, [{ id: 7, cluster: 7, sig: rewrite }])).toBe(7);
    expect(assignCluster(a, [{ id: 9, cluster: 3, sig: rewrite }])).toBe(3);
    expect(
      assignCluster(a, [
        { id: 4, cluster: 4, sig: other },
        { id: 9, cluster: 3, sig: rewrite },
      ]),
    ).toBe(3);
  });

  it('returns null below the threshold or with no candidates', () => {
    expect(assignCluster(a, [{ id: 4, cluster: 4, sig: other }])).toBeNull();
    expect(assignCluster(a, [])).toBeNull();
    expect(assignCluster(a, [{ id: 7, cluster: 7, sig: rewrite }], 0.99)).toBeNull();
  });

  it('breaks ties toward the older cluster, whatever the order', () => {
    const rows = [
      { id: 20, cluster: 12, sig: a },
      { id: 11, cluster: 11, sig: a },
    ];
    expect(assignCluster(a, rows)).toBe(11);
    expect(assignCluster(a, [...rows].reverse())).toBe(11);
  });
});

describe('similarity on 16-bit signatures', () => {
  it('agrees with the full signature on the fixtures, and counts only the low 16 bits', () => {
    const a = sig(enWire, 'en');
    const b = sig(enRewrite, 'en');
    expect(similarity(a, Uint16Array.from(b))).toBe(similarity(a, b));
    const high = Uint32Array.from(a, (v) => v ^ 0x10000);
    expect(similarity(a, high)).toBe(1);
  });
});
