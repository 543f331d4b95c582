// The admin pages' frame: one small HTML document per page with inline CSS and no script. The
// layout is fluid down to a 375 px phone: tables turn into labelled cards there (and scroll
// inside their own box in between), long URLs wrap, and forms stack. Every value is escaped here or by the caller with `h`.
import { escapeHtml } from '../../digest/personalize.js';
import { formatWallTime } from '../../time-zone.js';

export const h = escapeHtml;

const CSS = [
  '*{box-sizing:border-box}',
  'body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f2937;background:#f3f4f6}',
  'header{background:#1f2937;color:#fff;padding:8px 12px;display:flex;flex-wrap:wrap;gap:4px 14px;align-items:center}',
  'header a{color:#fff;text-decoration:none}header strong{margin-right:8px}',
  'header form{margin-left:auto}',
  'main{max-width:1100px;margin:0 auto;padding:12px;background:#fff;min-height:100vh;overflow-wrap:anywhere}',
  'h1{font-size:1.4em;margin:.4em 0}h2{font-size:1.15em;margin:1.2em 0 .4em}',
  'a{color:#1d4ed8}',
  '.scroll{max-width:100%;overflow-x:auto;margin:.5em 0}',
  'table{border-collapse:collapse;width:100%;font-size:.9em}',
  'th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top}',
  // Inside a scrolling table a cell may be wider than the phone; letters split one per line are not.
  'td{overflow-wrap:break-word;min-width:7em}',
  'th{background:#f9fafb;white-space:nowrap}',
  'td.url{max-width:22em;overflow-wrap:anywhere}',
  'form.inline{display:inline}',
  'label{display:block;margin:.6em 0 .2em;font-weight:600}',
  'input[type=text],input[type=password],input[type=number],input[type=email],input[type=url],select,textarea{width:100%;max-width:36em;padding:6px;font:inherit;border:1px solid #9ca3af;border-radius:4px}',
  'textarea{min-height:6em}',
  'button{font:inherit;padding:5px 12px;margin:2px 4px 2px 0;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;border-radius:4px;cursor:pointer}',
  'button.secondary{background:#fff;color:#1d4ed8}button.danger{background:#b91c1c;border-color:#b91c1c}',
  '.meta{color:#6b7280;font-size:.875em}',
  '.error{color:#b91c1c;font-weight:600}',
  '.notice{background:#ecfdf5;border:1px solid #10b981;padding:8px;border-radius:4px}',
  '.problem{background:#fef2f2;border:1px solid #ef4444;padding:8px;border-radius:4px}',
  '.checks label{display:inline;font-weight:400;margin-right:1em}',
  'pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f9fafb;padding:8px}',
  'ul.runs{padding-left:1.2em;margin:.2em 0}',
  // On a phone each row becomes a card of "label: value" lines: every column stays in view
  // (the delivery counts included) instead of scrolling off the right edge.
  '@media (max-width:640px){.scroll table,.scroll tbody,.scroll tr,.scroll td{display:block;width:100%}',
  '.scroll thead{display:none}.scroll tr{border:1px solid #e5e7eb;border-radius:6px;margin:0 0 10px;padding:4px 0}',
  '.scroll td{border:0;padding:3px 10px;min-width:0}.scroll td::before{content:attr(data-label);display:block;font-size:.8em;font-weight:600;color:#6b7280}}',
].join('');

const NAV: readonly [string, string][] = [
  ['/admin', 'Dashboard'],
  ['/admin/newsletters', 'Newsletters'],
  ['/admin/sources', 'Sources'],
  ['/admin/subscribers', 'Subscribers'],
];

/** The hidden field every admin form carries (see guard.ts). */
export const csrfField = (csrf: string): string => `<input type="hidden" name="_csrf" value="${h(csrf)}">`;

export function hidden(fields: Record<string, string | number>): string {
  return Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${h(k)}" value="${h(String(v))}">`)
    .join('');
}

/** A one-button POST form; state changes are never links. */
export function postButton(
  action: string,
  label: string,
  csrf: string,
  opts: { fields?: Record<string, string | number>; style?: 'secondary' | 'danger' } = {},
): string {
  const cls = opts.style ? ` class="${opts.style}"` : '';
  return `<form class="inline" method="post" action="${h(action)}">${csrfField(csrf)}${hidden(opts.fields ?? {})}<button type="submit"${cls}>${h(label)}</button></form>`;
}

/** A table in its own scrolling box; cells are HTML the caller escaped. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], empty = 'Nothing here yet.'): string {
  if (rows.length === 0) return `<p class="meta">${h(empty)}</p>`;
  const head = headers.map((x) => `<th>${h(x)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td data-label="${h(headers[i] ?? '')}">${c}</td>`).join('')}</tr>`).join('');
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

export interface Frame {
  /** Present once logged in: the navigation and the logout button are shown. */
  csrf?: string;
  notice?: string;
  problem?: string;
}

export function page(title: string, body: string, frame: Frame = {}): string {
  const nav = frame.csrf
    ? `<header><strong>Tidings admin</strong>${NAV.map(([href, label]) => `<a href="${href}">${h(label)}</a>`).join('')}` +
      `${postButton('/admin/logout', 'Log out', frame.csrf, { style: 'secondary' })}</header>`
    : '<header><strong>Tidings admin</strong></header>';
  const notice = frame.notice ? `<p class="notice" role="status">${h(frame.notice)}</p>` : '';
  const problem = frame.problem ? `<p class="problem" role="alert">${h(frame.problem)}</p>` : '';
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<meta name="robots" content="noindex"><title>${h(title)} · Tidings admin</title><style>${CSS}</style></head>` +
    `<body>${nav}<main>${notice}${problem}${body}</main></body></html>`
  );
}

/** "Tue 2026-11-24 16:00 +08:00 Asia/Shanghai": the wall time where the schedule lives, with its offset. */
export function wallTime(date: Date, timeZone: string): string {
  return `${formatWallTime(date, timeZone, { offset: true })} ${timeZone}`;
}

/** A stored ISO timestamp in UTC, short; "-" when absent. */
export function utc(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '-';
}
