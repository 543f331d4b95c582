// A small Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms
// with labels. Written here rather than pulled in because Tidings needs a dozen series, and the
// send path calls a histogram per message: a pre-resolved child makes that one array increment.
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** HELP text escapes only backslash and line feed; label values also escape the double quote. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function formatValue(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  if (n === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(n);
}

function labelPairs(names: readonly string[], values: readonly string[]): string {
  return names.map((name, i) => `${name}="${escapeLabelValue(values[i]!)}"`).join(',');
}

abstract class Family<C> {
  private readonly children = new Map<string, { values: readonly string[]; child: C }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
    readonly labelNames: readonly string[],
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`metric name "${name}" is not a valid Prometheus name`);
    for (const l of labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith('__') || (type === 'histogram' && l === 'le')) throw new Error(`label "${l}" of ${name} is not allowed`);
    }
  }

  /** The series for these label values (in labelNames order); keep it to update it cheaply. */
  labels(...values: string[]): C {
    if (values.length !== this.labelNames.length)
      throw new Error(`${this.name} takes ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`);
    const key = values.length === 1 ? values[0]! : values.join('\u0000');
    let entry = this.children.get(key);
    if (!entry) {
      entry = { values, child: this.create() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  /** Forgets every labelled series (a gauge re-read from the database). */
  reset(): void {
    this.children.clear();
  }

  render(out: string[]): void {
    // A series without labels always shows: a counter reads 0 before its first event.
    if (this.labelNames.length === 0) this.labels();
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    for (const { values, child } of this.children.values()) this.lines(labelPairs(this.labelNames, values), child, out);
  }

  protected abstract create(): C;
  protected abstract lines(pairs: string, child: C, out: string[]): void;
}

export class CounterChild {
  value = 0;
  inc(by = 1): void {
    if (!(by >= 0)) throw new Error('a counter only goes up');
    this.value += by;
  }
}

export class GaugeChild {
  value = 0;
  set(v: number): void {
    this.value = v;
  }
  inc(by = 1): void {
    this.value += by;
  }
}

export class HistogramChild {
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }
  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

const braces = (pairs: string) => (pairs ? `{${pairs}}` : '');

export class Counter extends Family<CounterChild> {
  protected create() {
    return new CounterChild();
  }
  protected lines(pairs: string, c: CounterChild, out: string[]) {
    out.push(`${this.name}${braces(pairs)} ${formatValue(c.value)}`);
  }
}

export class Gauge extends Family<GaugeChild> {
  protected create() {
    return new GaugeChild();
  }
  protected lines(pairs: string, g: GaugeChild, out: string[]) {
    out.push(`${this.name}${braces(pairs)} ${formatValue(g.value)}`);
  }
}

export class Histogram extends Family<HistogramChild> {
  private readonly bounds: readonly number[];
  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, 'histogram', labelNames);
    // +Inf is always the last bucket; listing it again would print it twice.
    this.bounds = [...new Set(buckets)].filter((b) => Number.isFinite(b)).sort((a, b) => a - b);
  }
  protected create() {
    return new HistogramChild(this.bounds);
  }
  protected lines(pairs: string, h: HistogramChild, out: string[]) {
    const sep = pairs ? ',' : '';
    let cumulative = 0;
    const bounds = this.bounds;
    for (let i = 0; i <= bounds.length; i++) {
      cumulative += h.counts[i]!;
      const le = i < bounds.length ? formatValue(bounds[i]!) : '+Inf';
      out.push(`${this.name}_bucket{${pairs}${sep}le="${le}"} ${cumulative}`);
    }
    out.push(`${this.name}_sum${braces(pairs)} ${formatValue(h.sum)}`, `${this.name}_count${braces(pairs)} ${h.count}`);
  }
}

/** Seconds, for request-like latencies: 5 ms to 30 s. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Registry {
  private readonly families: Family<unknown>[] = [];
  private readonly collectors: (() => void | Promise<void>)[] = [];

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, 'counter', labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, 'gauge', labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = LATENCY_BUCKETS): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** Runs before every render: gauges read at scrape time (process, database) update here. */
  onCollect(fn: () => void | Promise<void>): void {
    this.collectors.push(fn);
  }

  async render(): Promise<string> {
    for (const collect of this.collectors) await collect();
    const out: string[] = [];
    for (const f of this.families) f.render(out);
    return `${out.join('\n')}\n`;
  }

  private add<F extends Family<unknown>>(family: F): F {
    if (this.families.some((f) => f.name === family.name)) throw new Error(`metric ${family.name} is registered twice`);
    this.families.push(family);
    return family;
  }
}
