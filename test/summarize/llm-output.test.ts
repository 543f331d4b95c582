import { describe, expect, it } from 'vitest';
import { cleanLlmSummary, toPlainText } from '../../src/summarize/llm-output.js';

const clean = (raw: string, lang = 'en', budget = { sentences: 3 }) => cleanLlmSummary(raw, lang, budget);

describe('toPlainText', () => {
  it('strips HTML, Markdown and code, keeping the words', () => {
    expect(toPlainText('# Summary\n\n- **Cotton** prices _rose_ 5%.\n- See [the report](https://x.test/a_(b)).\n```js\nalert(1)\n```')).toBe(
      'Summary Cotton prices rose 5%. See the report.',
    );
    expect(toPlainText('<style>p{}</style><p onclick="x()">Mills <b>restocked</b>.</p><!-- hidden -->')).toBe('Mills restocked.');
  });

  it('decodes entities before stripping tags, so escaped tags do not survive', () => {
    expect(toPlainText('&lt;script&gt;alert(1)&lt;/script&gt;Prices rose &amp; fell.')).toBe('Prices rose & fell.');
    expect(toPlainText('bad &#xD800; surrogate &#0; null')).toBe('bad surrogate null');
  });

  it('removes control, zero-width and bidi characters and collapses whitespace', () => {
    expect(toPlainText('Prices\u0000 rose\u200b\u202e  sharply\r\n\tin May.')).toBe('Prices rose sharply in May.');
  });
});

describe('cleanLlmSummary', () => {
  it('drops a preamble and quotes around the whole reply', () => {
    expect(clean('Here is a short summary of the article: "Cotton prices rose 5% on Monday."')).toEqual({
      ok: true,
      sentences: ['Cotton prices rose 5% on Monday.'],
    });
    expect(clean('摘要：棉纺织行业景气指数回升。企业订单好转。', 'zh')).toEqual({ ok: true, sentences: ['棉纺织行业景气指数回升。', '企业订单好转。'] });
  });

  it('keeps the first sentences within the sentence and character budgets', () => {
    expect(clean('One is here. Two is here. Three is here. Four is here.', 'en', { sentences: 2 })).toEqual({
      ok: true,
      sentences: ['One is here.', 'Two is here.'],
    });
    expect(cleanLlmSummary('One is here. Two is here. Three is here.', 'en', { chars: 26 })).toEqual({ ok: true, sentences: ['One is here.', 'Two is here.'] });
  });

  it('rejects empty, tiny, refusing and runaway replies', () => {
    expect(clean('<p> </p>')).toMatchObject({ ok: false, reason: 'empty or too short' });
    expect(clean('OK.')).toMatchObject({ ok: false });
    expect(clean('As an AI language model, I cannot summarize this.')).toMatchObject({ ok: false, reason: 'looks like a refusal' });
    expect(clean('作为一个AI，我不能总结这篇文章。', 'zh')).toMatchObject({ ok: false, reason: 'looks like a refusal' });
    expect(clean(`${'word '.repeat(120)}end.`)).toMatchObject({ ok: false });
    expect(cleanLlmSummary(`${'word '.repeat(30)}end.`, 'en', { chars: 50 })).toMatchObject({ ok: false });
  });
});
