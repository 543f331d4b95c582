// Acceptance 3 for email: markup and template syntax in article data come out as literal text,
// never as tags, attributes, links, includes or evaluated expressions.
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DigestModel } from '../../src/digest/model.js';
import { escapeHtml, personalize } from '../../src/digest/personalize.js';
import { renderEmail } from '../../src/digest/render-email.js';
import { item, model, RECIPIENT, SENDER } from './email-fixtures.js';

const CANARY = 'canary-7f3a91-secret';

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<mj-include path="/etc/passwd"/>',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the attack
  '${process.env.TIDINGS_TEST_CANARY}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the attack
  '${process.env.HOME}',
  '<%= 7*7 %>',
  '</mj-text><mj-button href="https://evil.example">x</mj-button>',
  '%%tidings.unsubscribe_url%%',
];

function hostileModel(): DigestModel {
  const items = HOSTILE.map((h, i) =>
    item({
      title: `T${i} ${h}`,
      summary: `S${i} ${h} end`,
      source: { id: i, name: `Src${i} ${h}` },
      url: i % 3 === 0 ? 'javascript:alert(1)' : i % 3 === 1 ? 'data:text/html,<script>alert(1)</script>' : ' JaVaScRiPt:alert(1)',
      imageUrl: i % 2 ? 'javascript:alert(1)' : 'data:image/png;base64,AAAA',
      alsoReportedBy: [{ name: `Also${i} ${h}`, url: 'vbscript:msgbox(1)' }],
    }),
  );
  return model({
    newsletter: { id: 1, slug: 'x', name: 'News <b>bold</b> {{7*7}}', language: 'en' },
    sections: [{ title: `Section </mj-text><mj-button href="https://evil.example">x</mj-button>`, items }],
    archiveUrl: 'javascript:alert(document.cookie)',
  });
}

describe('hostile article data in the email', () => {
  beforeAll(() => {
    process.env.TIDINGS_TEST_CANARY = CANARY;
  });
  afterAll(() => {
    delete process.env.TIDINGS_TEST_CANARY;
  });

  it('appears literally as text, with no script, handler, include, expression or extra link', async () => {
    const rendered = await renderEmail(hostileModel(), { ...SENDER, organization: 'Org <script>x</script>' });
    const { html, text, subject } = personalize(rendered, RECIPIENT);
    const { document } = parseHTML(html);

    expect(document.querySelectorAll('script')).toHaveLength(0);
    const all = [...document.querySelectorAll('*')];
    expect(all.filter((e) => e.tagName.toLowerCase().startsWith('mj-'))).toEqual([]);
    for (const el of all) {
      for (const attr of el.getAttributeNames()) {
        expect(attr.startsWith('on'), `${el.tagName} has ${attr}`).toBe(false);
        if (attr === 'href' || attr === 'src') expect(el.getAttribute(attr)).toMatch(/^https:\/\//);
      }
    }
    // Links are exactly the footer's unsubscribe and preferences: every article URL, image,
    // "also reported by" link and the archive link was not http(s), and no button was injected.
    const hrefs = [...document.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs).toEqual([RECIPIENT.unsubscribeUrl, RECIPIENT.preferencesUrl]);
    expect(document.querySelectorAll('img')).toHaveLength(0);
    expect(html).not.toContain('https://evil.example"');

    const shown = document.body.textContent ?? '';
    for (const h of HOSTILE.slice(0, -1)) {
      for (const prefix of ['T', 'S', 'Src', 'Also']) {
        const i = HOSTILE.indexOf(h);
        expect(shown, `${prefix}${i} shown literally`).toContain(`${prefix}${i} ${h}`);
        expect(text).toContain(`${prefix}${i} ${h}`);
      }
    }
    expect(shown).toContain('Section </mj-text><mj-button href="https://evil.example">x</mj-button>');
    expect(shown).toContain('News <b>bold</b> {{7*7}}');
    expect(shown).toContain('Org <script>x</script>');

    for (const out of [shown, text, subject]) {
      expect(out).not.toContain('49');
      expect(out).not.toContain('root:x:');
      expect(out).not.toContain(CANARY);
      if (process.env.HOME && process.env.HOME.length > 1) expect(out).not.toContain(process.env.HOME);
    }
    // A placeholder token typed into a title stays text: the unsubscribe URL is filled in only
    // where the template put it (once per part).
    expect(html.split(escapeHtml(RECIPIENT.unsubscribeUrl))).toHaveLength(2);
    expect(text.split(RECIPIENT.unsubscribeUrl)).toHaveLength(2);
    expect(shown).toContain('T8 %%\u200btidings.unsubscribe_url%%');
  });

  it('drops non-http(s) links from the plain-text part too', async () => {
    const { text } = personalize(await renderEmail(hostileModel(), SENDER), RECIPIENT);
    expect(text.toLowerCase()).not.toMatch(/javascript:|vbscript:|data:/);
    expect(text).not.toContain('View in browser');
  });
});
