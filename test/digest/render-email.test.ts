import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { personalize } from '../../src/digest/personalize.js';
import { compactHtml, renderEmail, renderEmailForRecipient } from '../../src/digest/render-email.js';
import { item, model, RECIPIENT, SENDER } from './email-fixtures.js';

function dom(html: string) {
  return parseHTML(html).document;
}

/** Hidden by an inline display:none on the element or an ancestor (how the preheader is hidden). */
function hidden(el: Element | null): boolean {
  for (let e = el; e; e = e.parentElement) {
    if (/display\s*:\s*none/i.test(e.getAttribute('style') ?? '')) return true;
  }
  return false;
}

describe('renderEmail', () => {
  it('renders header, sections, cards and footer in both parts (acceptance 5)', async () => {
    const rendered = await renderEmail(model(), SENDER);
    const { html, text, subject } = personalize(rendered, RECIPIENT);
    expect(subject).toMatch(/^Cotton Daily — 24 November 2026: Cotton futures climb for a third day \(\d+\)$/);
    expect(html).toMatch(/^<!doctype html>/i);
    expect(text.length).toBeGreaterThan(200);
    for (const part of [html, text]) {
      expect(part).toContain('12 Mill Street');
      expect(part).toContain('Manchester M1 2AB');
      expect(part).toContain('Cotton Growers Association');
      expect(part).toContain('Markets');
      expect(part).toContain('Policy');
    }
    expect(text).toContain('Unsubscribe: https://news.example.org/unsubscribe?t=tok123');
    const doc = dom(html);
    const unsubscribe = [...doc.querySelectorAll('a')].filter((a) => a.getAttribute('href') === RECIPIENT.unsubscribeUrl);
    expect(unsubscribe).toHaveLength(1);
    expect(unsubscribe[0]!.textContent).toBe('Unsubscribe');
    expect(hidden(unsubscribe[0]!)).toBe(false);
    const prefs = [...doc.querySelectorAll('a')].filter((a) => a.getAttribute('href') === RECIPIENT.preferencesUrl);
    expect(prefs.map((a) => a.textContent)).toEqual(['Manage preferences']);
    expect(doc.documentElement.getAttribute('lang')).toBe('en');
  });

  it('links titles, sources and the archive; shows lead images with alt text only when given', async () => {
    const m = model();
    const { html } = personalize(await renderEmail(m, SENDER), RECIPIENT);
    const doc = dom(html);
    const hrefs = [...doc.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    for (const it of m.sections.flatMap((s) => s.items)) expect(hrefs).toContain(it.url);
    expect(hrefs.filter((h) => h === m.archiveUrl)).toHaveLength(2); // header and footer
    expect(hrefs).toContain('https://textile.example.net/a');
    const images = [...doc.querySelectorAll('img')];
    expect(images).toHaveLength(2); // the third item has no image
    for (const img of images) {
      expect(img.getAttribute('src')).toMatch(/^https:\/\/img\.example\.com\//);
      expect(img.getAttribute('alt')).toMatch(/^Cotton futures climb/);
    }
    expect(html).toContain('Also reported by');
    expect(html).toContain('max-width:600px');
  });

  it('leaves out the view-in-browser link without an archive URL and section titles when null', async () => {
    const m = model({ archiveUrl: null, sections: [{ title: null, items: [item({ title: 'Flat list item' })] }] });
    const rendered = await renderEmail(m, SENDER);
    expect(rendered.html).not.toContain('View in browser');
    expect(rendered.text).not.toContain('View in browser');
    expect(rendered.text).not.toContain('==');
    expect(rendered.html).toContain('Flat list item');
  });

  it('shows dates in the newsletter time zone, localized (zh)', async () => {
    const m = model({
      newsletter: { id: 8, slug: 'mianhua', name: '棉花日报', language: 'zh' },
      slotAt: new Date('2026-11-24T20:00:00Z'),
      timeZone: 'Asia/Shanghai',
      sections: [{ title: '市场', items: [item({ title: '棉花期货连续第三天上涨', publishedAt: new Date('2026-11-24T18:00:00Z') })] }],
    });
    const rendered = await renderEmail(m, SENDER);
    const { html, text, subject } = personalize(rendered, { ...RECIPIENT, name: '张伟' });
    expect(subject).toBe('棉花日报 — 2026年11月25日：棉花期货连续第三天上涨');
    // Few non-ASCII characters here, so the HTML carries them as character references.
    for (const part of [dom(html).body.textContent, text]) {
      expect(part).toContain('2026年11月25日');
      expect(part).toContain('其他报道来源');
      expect(part).toContain('退订');
      expect(part).toContain('张伟，您好：');
    }
    expect(dom(html).documentElement.getAttribute('lang')).toBe('zh-CN');
  });

  it('takes the preheader from the first titles and hides it in the HTML', async () => {
    const m = model({
      sections: [{ title: null, items: [item({ title: 'One' }), item({ title: 'Two' }), item({ title: 'Three' }), item({ title: 'Four' })] }],
    });
    const rendered = await renderEmail(m, SENDER);
    expect(rendered.preheader).toBe('One · Two · Three');
    const holder = [...dom(rendered.html).querySelectorAll('div')].find((d) => d.textContent === 'One · Two · Three');
    expect(holder && hidden(holder)).toBe(true);
  });

  it('strips CR/LF and other controls from the subject and caps it without splitting a surrogate pair', async () => {
    const hostile = 'Prices up\r\nBcc: victim@example.com\u0000\u0085 now';
    const rendered = await renderEmail(model({ sections: [{ title: null, items: [item({ title: hostile })] }] }), SENDER);
    const { subject } = personalize(rendered, RECIPIENT);
    expect(subject).not.toMatch(/[\r\n\u0000-\u001f\u007f-\u009f]/);
    expect(subject).toBe('Cotton Daily — 24 November 2026: Prices up Bcc: victim@example.com now');

    const long = '🐑'.repeat(200);
    const capped = (await renderEmail(model({ sections: [{ title: null, items: [item({ title: long })] }] }), SENDER)).subject;
    expect(capped.length).toBeLessThanOrEqual(150);
    expect(capped.endsWith('🐑…')).toBe(true);
    expect(capped).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('personalize gives byte-for-byte what a full per-recipient render gives', async () => {
    const m = model();
    const recipient = { ...RECIPIENT, name: `<b>"O'Brien" & co</b>\r\nBcc: x` };
    const once = personalize(await renderEmail(m, SENDER), recipient);
    const naive = await renderEmailForRecipient(m, SENDER, recipient);
    expect(once).toEqual(naive);
    expect(once.html).toContain('Hello &lt;b&gt;&quot;O&#x27;Brien&quot; &amp; co&lt;/b&gt; Bcc: x,');
    expect(once.text).toContain(`Hello <b>"O'Brien" & co</b> Bcc: x,`);

    const cjk = { ...RECIPIENT, name: '张伟 <b>' };
    const cjkOnce = personalize(await renderEmail(m, SENDER), cjk);
    expect(cjkOnce).toEqual(await renderEmailForRecipient(m, SENDER, cjk));
    expect(cjkOnce.html).toMatch(/^[\x00-\x7f]*$/);
    expect(dom(cjkOnce.html).body.textContent).toContain('Hello 张伟 <b>,');
  });

  it('compacts the HTML without changing what it shows', async () => {
    const m = model({ sections: [{ title: null, items: [item({ title: 'Prices “soar” — again…', summary: 'Café owners cheer 🎉.' })] }] });
    const rendered = await renderEmail(m, SENDER);
    expect(rendered.html).toMatch(/^[\x00-\x7f]*$/);
    expect(rendered.html).not.toMatch(/\n[ \t]/);
    const shown = (html: string) => (dom(html).body.textContent ?? '').replace(/\s+/g, ' ').trim();
    expect(shown(rendered.html)).toContain('Prices “soar” — again…');
    expect(shown(rendered.html)).toContain('Café owners cheer 🎉.');
    expect(shown(compactHtml('<html><body><p>\n   a — b\n\n  <b>c</b></p></body></html>'))).toBe('a — b c');
    const pad = 'x'.repeat(200);
    expect(compactHtml(`<p>é${pad}</p><style>.x{font-family:"微软雅黑"}</style>`)).toBe(`<p>&#xe9;${pad}</p><style>.x{font-family:"微软雅黑"}</style>`);

    // A digest that is mostly Chinese stays UTF-8: references would triple its size.
    const zh = model({
      newsletter: { id: 8, slug: 'mianhua', name: '棉花日报', language: 'zh' },
      sections: [
        {
          title: null,
          items: Array.from({ length: 5 }, () =>
            item({ title: '棉花期货连续第三天上涨', summary: '周一棉花期货上涨百分之二，纺织厂补库存。分析师预计涨势将持续。'.repeat(4) }),
          ),
        },
      ],
    });
    expect((await renderEmail(zh, SENDER)).html).toContain('棉花期货连续第三天上涨');
  });

  it('renders an empty digest (preview) with a note instead of cards', async () => {
    const rendered = await renderEmail(model({ sections: [] }), SENDER);
    expect(rendered.subject).toBe('Cotton Daily — 24 November 2026');
    expect(rendered.html).toContain('Nothing new this time.');
    expect(rendered.text).toContain('Nothing new this time.');
  });
});
