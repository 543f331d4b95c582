// DOM → plain text that keeps the document's block structure. `textContent` glues the last word
// of one paragraph to the first of the next ("end.Next", "wordWord"), which hurts both summaries
// and any token-based comparison; here every block boundary becomes a line break.

const BLOCK_TAGS = new Set([
  'ADDRESS',
  'ARTICLE',
  'ASIDE',
  'BLOCKQUOTE',
  'CAPTION',
  'CENTER',
  'DD',
  'DETAILS',
  'DIALOG',
  'DIV',
  'DL',
  'DT',
  'FIELDSET',
  'FIGCAPTION',
  'FIGURE',
  'FOOTER',
  'FORM',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'HEADER',
  'HGROUP',
  'HR',
  'LI',
  'MAIN',
  'NAV',
  'OL',
  'P',
  'PRE',
  'SECTION',
  'SUMMARY',
  'TABLE',
  'TBODY',
  'TFOOT',
  'THEAD',
  'TR',
  'UL',
]);

const SKIP_TAGS = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'CANVAS', 'IFRAME', 'OBJECT']);

const TEXT_NODE = 3;
const ELEMENT_NODE = 1;

/** Text of `root` with one line per block (paragraph, list item, heading, table row…). */
export function blockText(root: Node): string {
  const lines: string[] = [];
  let current = '';
  const flush = (): void => {
    const line = current.replace(/[ \t\f\r\n\u00a0\u200b]+/g, ' ').trim();
    if (line) lines.push(line);
    current = '';
  };
  const walk = (node: Node, pre: boolean): void => {
    if (node.nodeType === TEXT_NODE) {
      const value = node.nodeValue ?? '';
      if (pre) {
        const parts = value.split('\n');
        parts.forEach((part, i) => {
          if (i > 0) flush();
          current += part;
        });
      } else current += value;
      return;
    }
    if (node.nodeType !== ELEMENT_NODE) {
      for (const child of node.childNodes) walk(child, pre);
      return;
    }
    const tag = (node as Element).tagName.toUpperCase();
    if (SKIP_TAGS.has(tag)) return;
    if (tag === 'BR') {
      flush();
      return;
    }
    const block = BLOCK_TAGS.has(tag);
    if (block) flush();
    // Table cells on one row stay on one line, separated so their words do not merge.
    if (tag === 'TD' || tag === 'TH') current += ' ';
    const inPre = pre || tag === 'PRE';
    for (const child of node.childNodes) walk(child, inPre);
    if (block) flush();
  };
  walk(root, false);
  flush();
  return lines.join('\n');
}

/** Whitespace-collapsed text of one element, for length and link-density measurements. */
export function flatText(node: Node): string {
  return (node.textContent ?? '').replace(/\s+/g, ' ').trim();
}
