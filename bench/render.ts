// Render once, personalize cheaply: personalize() on one compiled 20-article digest for many
// recipients, against what a naive tool does per recipient (fill the template with that
// recipient's values and run mjml2html), both measured in the same run.
import { existsSync, readFileSync } from 'node:fs';
import type { DigestItem, DigestModel, Recipient, SenderInfo } from '../src/digest/model.js';
import { personalize, recipientPlaceholders } from '../src/digest/personalize.js';
import { EMAIL_TEMPLATES, compileMjml, emailView, renderEmail, renderEmailForRecipient } from '../src/digest/render-email.js';
import { BUNDLED_EMAIL_TEMPLATES, createTemplateCache, loadTemplates } from '../src/digest/templates.js';
import { type Bench, type Figures, timeMedian, withRatio } from './harness.js';

const BBC = new URL('../../shared/eval/summaries/bbc.json', import.meta.url);
const ITEMS = 20;
const RECIPIENTS_PER_RUN = 2000;

const SENDER: SenderInfo = {
  organization: 'Textile Industry Association',
  postalAddress: '12 Mill Street\nManchester M1 2AB\nUnited Kingdom',
  publicUrl: 'https://news.example.org',
};

/** Real headlines and reference summaries when the eval set is present, else generated prose. */
function articles(): { title: string; summary: string }[] {
  if (existsSync(BBC)) {
    const pairs = JSON.parse(readFileSync(BBC, 'utf8')) as { article: string; summary: string }[];
    return pairs.slice(0, ITEMS).map((p) => ({
      title: p.article.split('\n')[0]!.trim(),
      summary: p.summary.split('\n').slice(0, 3).join(' '),
    }));
  }
  process.stderr.write(`render: ${BBC.pathname} is absent, using generated articles\n`);
  return Array.from({ length: ITEMS }, (_, i) => ({
    title: `Cotton futures climb for a third session as mills restock ahead of winter (${i + 1})`,
    summary:
      'Cotton futures rose 2.1% on Monday, extending gains for a third session as spinning mills in South Asia restocked. ' +
      'Traders said lower-than-expected US crop estimates supported prices. Analysts expect volatility to persist into December.',
  }));
}

export function benchDigest(): DigestModel {
  const items: DigestItem[] = articles().map((a, i) => ({
    articleId: i + 1,
    title: a.title,
    url: `https://www.example-news.com/business/2026/11/story-${i + 1}?ref=feed`,
    source: { id: (i % 5) + 1, name: ['BBC News', 'Reuters', 'Textile Daily', 'Fibre2Fashion', 'Just Style'][i % 5]! },
    publishedAt: new Date(Date.UTC(2026, 10, 23, 6 + (i % 12))),
    lang: 'en',
    category: i < 10 ? 'Markets' : 'Companies',
    summary: a.summary,
    imageUrl: i % 3 === 2 ? null : `https://images.example-news.com/2026/11/story-${i + 1}-640x360.jpg`,
    alsoReportedBy:
      i % 4 === 0
        ? [
            { name: 'Financial Wire', url: `https://wire.example.com/a/${i}` },
            { name: 'Trade Journal', url: null },
          ]
        : [],
    reasons: ['recent'],
  }));
  return {
    newsletter: { id: 1, slug: 'textile-daily', name: 'Textile Daily Digest', language: 'en' },
    slotAt: new Date('2026-11-24T07:00:00Z'),
    timeZone: 'Europe/London',
    sections: [
      { title: 'Markets', items: items.slice(0, 10) },
      { title: 'Companies', items: items.slice(10) },
    ],
    archiveUrl: 'https://news.example.org/textile-daily/2026-11-24',
  };
}

/** The same digest in Chinese: mostly non-ASCII, so its HTML stays UTF-8 (two bytes a character in V8). */
function chineseDigest(model: DigestModel): DigestModel {
  const title = '棉纺织行业景气指数连续三个月回升，下游订单明显改善';
  const summary =
    '中国棉纺织行业协会发布的数据显示，十一月行业景气指数为五十一点二，较上月上升一点一个百分点。企业反映新增订单增加，原料库存处于合理区间。分析人士预计，年底前市场将保持平稳。';
  return {
    ...model,
    newsletter: { ...model.newsletter, name: '纺织日报', language: 'zh' },
    timeZone: 'Asia/Shanghai',
    sections: model.sections.map((s, k) => ({
      title: k ? '企业' : '市场',
      items: s.items.map((it, i) => ({ ...it, lang: 'zh', title: `${title}（${i + 1}）`, summary, source: { id: 1, name: '中国纺织网' } })),
    })),
  };
}

const recipient = (i: number): Recipient => ({
  name: i % 3 ? `Reader Number ${i}` : null,
  unsubscribeUrl: `https://news.example.org/u/${(i * 2654435761) >>> 0}x${i}`,
  preferencesUrl: `https://news.example.org/p/${(i * 2654435761) >>> 0}x${i}`,
});

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

export const renderBench: Bench = {
  name: 'render',
  description: 'personalized email renders/s on one compiled 20-article digest vs per-recipient mjml2html',
  async run(): Promise<Figures> {
    const model = benchDigest();
    const templates = await loadTemplates(EMAIL_TEMPLATES, BUNDLED_EMAIL_TEMPLATES, undefined, createTemplateCache());
    const expanded = templates.render('digest.mjml', emailView(model, SENDER, recipientPlaceholders('en')));
    const mjmlMs = await timeMedian(() => compileMjml(expanded, templates), 7, 2);

    let n = 0;
    const baselineMs = await timeMedian(() => renderEmailForRecipient(model, SENDER, recipient(n++)), 9, 2);

    const rendered = await renderEmail(model, SENDER);
    const splitMs = await timeMedian(() => personalize({ ...rendered }, recipient(0)), 7, 2);
    const people = Array.from({ length: RECIPIENTS_PER_RUN }, (_, i) => recipient(i));
    let sink = 0;
    const oursMs = await timeMedian(
      () => {
        for (const r of people) sink += personalize(rendered, r).html.length;
      },
      9,
      2,
    );
    // What any consumer pays on top: one pass over each output, which also makes V8 flatten
    // the joined pieces into one string (the sender's encoder does the same).
    const touchedMs = await timeMedian(
      () => {
        for (const r of people) {
          const out = personalize(rendered, r);
          sink += out.html.indexOf('\u0000') + out.text.indexOf('\u0000');
        }
      },
      9,
      2,
    );
    const zh = await renderEmail(chineseDigest(model), SENDER);
    const zhTouchedMs = await timeMedian(
      () => {
        for (const r of people.slice(0, RECIPIENTS_PER_RUN / 10)) sink += personalize(zh, r).html.indexOf('\u0000');
      },
      7,
      2,
    );
    if (sink === 0) throw new Error('render bench: personalize produced nothing');

    const perSecond = (ms: number, count: number) => Math.round((count * 1000) / ms);
    return {
      render: withRatio({
        value: perSecond(oursMs, RECIPIENTS_PER_RUN),
        unit: 'renders/s',
        higher_is_better: true,
        baseline: 'per-recipient Handlebars + mjml2html',
        baseline_value: round(1000 / baselineMs),
        mjml_ms: round(mjmlMs),
        baseline_ms: round(baselineMs),
        personalize_us: round((oursMs * 1000) / RECIPIENTS_PER_RUN),
        touched_per_s: perSecond(touchedMs, RECIPIENTS_PER_RUN),
        touched_ratio: round((RECIPIENTS_PER_RUN / touchedMs) * baselineMs),
        zh_touched_per_s: perSecond(zhTouchedMs, RECIPIENTS_PER_RUN / 10),
        zh_html_kb: round(zh.html.length / 1024, 1),
        split_ms: round(splitMs),
        html_kb: round(rendered.html.length / 1024, 1),
        items: ITEMS,
      }),
    };
  },
};
