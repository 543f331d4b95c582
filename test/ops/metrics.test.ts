// The Prometheus registry's text output, checked line by line against the 0.0.4 exposition
// format: HELP/TYPE headers, label escaping, cumulative histogram buckets.
import { describe, expect, it } from 'vitest';
import { escapeHelp, escapeLabelValue, formatValue, Registry } from '../../src/ops/metrics.js';

describe('metrics registry', () => {
  it('writes HELP and TYPE for each family, and label-less series from the start', async () => {
    const r = new Registry();
    r.counter('jobs_total', 'Jobs done.');
    r.gauge('queue_depth', 'Items waiting.').labels().set(7);
    expect(await r.render()).toBe(
      [
        '# HELP jobs_total Jobs done.',
        '# TYPE jobs_total counter',
        'jobs_total 0',
        '# HELP queue_depth Items waiting.',
        '# TYPE queue_depth gauge',
        'queue_depth 7',
        '',
      ].join('\n'),
    );
  });

  it('keeps one series per label set, in labelNames order, and escapes values', async () => {
    const r = new Registry();
    const c = r.counter('fetches_total', 'Fetches.', ['result', 'host']);
    c.labels('ok', 'a.example').inc();
    c.labels('ok', 'a.example').inc(2);
    c.labels('failed', 'say "hi"\\\nbye').inc();
    const text = await r.render();
    expect(text).toContain('fetches_total{result="ok",host="a.example"} 3\n');
    expect(text).toContain('fetches_total{result="failed",host="say \\"hi\\"\\\\\\nbye"} 1\n');
    expect(text.split('\n').filter((l) => l.startsWith('fetches_total{'))).toHaveLength(2);
  });

  it('escapes HELP text (backslash and line feed only) and formats special values', () => {
    expect(escapeHelp('a\\b\n"c"')).toBe('a\\\\b\\n"c"');
    expect(escapeLabelValue('a\\b\n"c"')).toBe('a\\\\b\\n\\"c\\"');
    expect([formatValue(Number.NaN), formatValue(Number.POSITIVE_INFINITY), formatValue(Number.NEGATIVE_INFINITY), formatValue(0.25)]).toEqual([
      'NaN',
      '+Inf',
      '-Inf',
      '0.25',
    ]);
  });

  it('renders histograms with cumulative buckets, +Inf, _sum and _count', async () => {
    const r = new Registry();
    const h = r.histogram('send_seconds', 'Send time.', ['channel'], [0.1, 0.5, 1]);
    const email = h.labels('email');
    for (const v of [0.05, 0.1, 0.3, 2]) email.observe(v);
    const lines = (await r.render()).split('\n');
    expect(lines).toEqual([
      '# HELP send_seconds Send time.',
      '# TYPE send_seconds histogram',
      'send_seconds_bucket{channel="email",le="0.1"} 2',
      'send_seconds_bucket{channel="email",le="0.5"} 3',
      'send_seconds_bucket{channel="email",le="1"} 3',
      'send_seconds_bucket{channel="email",le="+Inf"} 4',
      'send_seconds_sum{channel="email"} 2.45',
      'send_seconds_count{channel="email"} 4',
      '',
    ]);
  });

  it('a label-less histogram has only le on its buckets', async () => {
    const r = new Registry();
    r.histogram('lat', 'L.', [], [1]).labels().observe(3);
    expect(await r.render()).toContain('lat_bucket{le="1"} 0\nlat_bucket{le="+Inf"} 1\nlat_sum 3\nlat_count 1\n');
  });

  it('reset() forgets labelled series; collectors run before each render', async () => {
    const r = new Registry();
    const g = r.gauge('things', 'Things.', ['kind']);
    let n = 0;
    r.onCollect(() => {
      g.reset();
      g.labels(`k${++n}`).set(n);
    });
    expect(await r.render()).toContain('things{kind="k1"} 1');
    const second = await r.render();
    expect(second).toContain('things{kind="k2"} 2');
    expect(second).not.toContain('k1');
  });

  it('refuses invalid names, reserved labels, wrong label counts, duplicates and falling counters', () => {
    const r = new Registry();
    expect(() => r.counter('bad-name', 'x')).toThrow(/valid Prometheus name/);
    expect(() => r.gauge('g', 'x', ['__reserved'])).toThrow(/not allowed/);
    expect(() => r.histogram('h', 'x', ['le'])).toThrow(/not allowed/);
    const c = r.counter('c_total', 'x', ['a']);
    expect(() => c.labels()).toThrow(/takes 1 label/);
    expect(() => c.labels('x').inc(-1)).toThrow(/only goes up/);
    expect(() => r.counter('c_total', 'again')).toThrow(/registered twice/);
  });
});
