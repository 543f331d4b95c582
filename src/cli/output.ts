// Plain-text tables and a progress line for people at a terminal; machines get --json.

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - displayWidth(c)))).join('  ')).join('\n');
}

/** CJK characters take two terminal columns. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) || ch.codePointAt(0)! > 0x1ffff ? 2 : 1;
  return w;
}

export function truncate(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  let out = '';
  for (const ch of s) {
    if (displayWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return out + '…';
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** One line rewritten in place on a TTY; one line per event otherwise (logs, CI). */
export function progressLine(stream: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  return {
    update(line: string) {
      if (tty) stream.write(`\r\x1b[2K${truncate(line, (stream.columns ?? 100) - 1)}`);
      else stream.write(line + '\n');
    },
    done() {
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}

export function ago(iso: string | null, now: Date): string {
  if (!iso) return 'never';
  const s = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  const abs = Math.abs(s);
  const unit = abs < 90 ? `${abs}s` : abs < 5400 ? `${Math.round(abs / 60)}m` : abs < 129600 ? `${Math.round(abs / 3600)}h` : `${Math.round(abs / 86400)}d`;
  return s >= 0 ? `${unit} ago` : `in ${unit}`;
}
