// Acceptance 2 (Chinese, text dump) and the extractive summarizer's budget, order and
// determinism. ROUGE on the BBC pairs (acceptance 1) is in rouge.test.ts.
import { hasEval } from '../support/eval.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTextDump } from '../../src/sources/textdump.js';
import { MAX_RANKED_SENTENCES, extractiveSummarizer, summarizeExtractive } from '../../src/summarize/extractive.js';
import { codePoints } from '../../src/summarize/summarizer.js';

const COTTON_TITLE = '6月棉纺织行业景气指数回升 企业订单有所好转';
const COTTON = `记者 王晓明 报道

图片来源：视觉中国

中国棉纺织行业协会日前发布的数据显示，6月份棉纺织行业景气指数为49.2，较上月回升1.6个百分点。其中，原料采购指数、生产指数和产品销售指数均有不同程度回升，企业经营压力有所缓解。

从调查情况看，进入6月以后，下游服装企业秋冬季订单陆续下达，纺纱企业开机率小幅提高。部分企业反映，纯棉高支纱和混纺纱订单好于预期，库存天数较5月末减少约3天。不过，中小企业订单仍然偏少，开工率不足七成。

原料方面，国内棉花价格高位震荡。6月份中国棉花价格指数（CCIndex3128B）平均为17,100元/吨，环比上涨3.2%。业内人士认为，新疆棉区天气总体有利，但高温对部分棉田生长造成一定影响，后期需密切关注。

出口方面，海关总署数据显示，1—5月我国纺织品服装累计出口1,134亿美元，同比下降7.6%。其中纺织品出口552亿美元，同比下降9.4%。“欧美市场需求疲软，东南亚同行竞争加剧，出口形势依然严峻。”一位江苏纺织企业负责人表示。

协会专家指出，当前行业运行呈现“需求弱复苏、成本高位、利润承压”的特点。下半年，随着稳增长政策持续发力，国内消费有望进一步恢复，棉纺织行业景气度有望保持平稳回升态势。企业应加快数字化、绿色化转型，提高产品附加值，增强抵御风险的能力！

点击阅读原文，查看更多行业数据。

上一篇：全球制造业PMI连续三个月低于荣枯线
下一篇：5月我国棉纺织行业景气度有所回升`;

const cotton = { title: COTTON_TITLE, text: COTTON, lang: 'zh' };
// A whole Chinese sentence ends in 。！？, possibly followed by closing quotes.
const WHOLE_ZH_SENTENCE = /[。！？][”’」』]*$/u;
const NOT_BODY = ['上一篇', '下一篇', '荣枯线', '图片来源', '视觉中国', '王晓明', '点击', '阅读原文'];

describe('extractive summary of a Chinese article', () => {
  it('is whole sentences of the body within a sentence budget, without footer or credits', () => {
    const s = summarizeExtractive(cotton, { sentences: 3 });
    expect(s.method).toBe('extractive');
    expect(s.sentences).toHaveLength(3);
    for (const sentence of s.sentences) {
      expect(sentence).toMatch(WHOLE_ZH_SENTENCE);
      expect(COTTON).toContain(sentence);
    }
    for (const junk of NOT_BODY) expect(s.text).not.toContain(junk);
    // Chinese sentences join without spaces.
    expect(s.text).toBe(s.sentences.join(''));
    // The lead sentence carries the news.
    expect(s.sentences[0]).toContain('景气指数为49.2');
  });

  it('fits a character budget with whole sentences, never a cut one', () => {
    for (const chars of [60, 100, 150, 250]) {
      const s = summarizeExtractive(cotton, { chars });
      expect(codePoints(s.text), `chars ${chars}`).toBeLessThanOrEqual(chars);
      expect(s.sentences.length).toBeGreaterThan(0);
      for (const sentence of s.sentences) {
        expect(sentence).toMatch(WHOLE_ZH_SENTENCE);
        expect(COTTON).toContain(sentence);
      }
    }
  });

  it('returns the best sentence whole when no sentence fits the character budget', () => {
    const s = summarizeExtractive(cotton, { chars: 10 });
    expect(s.sentences).toHaveLength(1);
    expect(s.sentences[0]).toMatch(WHOLE_ZH_SENTENCE);
    expect(codePoints(s.text)).toBeGreaterThan(10);
  });

  it('applies both limits when both are given', () => {
    const s = summarizeExtractive(cotton, { sentences: 1, chars: 500 });
    expect(s.sentences).toHaveLength(1);
  });
});

// Read relative to the project root like ../shared/eval; skipped (and reported so) without it.
const SAMPLE = path.resolve('../shared/samples/000_b1327684ba6b08b4.txt');

describe.skipIf(!hasEval(SAMPLE))(`extractive summary of the text-dump sample (needs ${SAMPLE})`, () => {
  it('yields three sensible sentences of the body', () => {
    const file = SAMPLE;
    const item = parseTextDump(readFileSync(file, 'utf8'), path.basename(file));
    if ('error' in item) throw new Error(item.error);
    const s = summarizeExtractive({ title: item.title ?? '', text: item.contentText ?? '', lang: 'en' });
    expect(s.sentences).toHaveLength(3);
    for (const sentence of s.sentences) {
      expect(item.contentText ?? '').toContain(sentence);
      expect(sentence).toMatch(/[.!?]['"’”]?$/);
      expect(sentence).not.toMatch(/Last text|Next text|\.jpg/);
    }
    expect(s.sentences[0]).toMatch(/^In accordance with the arrangements of the State Council/);
    expect(s.text).toMatch(/symposium/);
  });
});

describe('summarizeExtractive', () => {
  const english = {
    title: 'Cotton prices rise',
    lang: 'en',
    text: [
      'Cotton prices rose 5% on Monday as mills rebuilt stocks.',
      'The weather in the region was mild.',
      'Mills said cotton stocks were at their lowest in a decade, and cotton prices could rise further.',
      'A local football team won its match.',
      'Traders expect cotton demand from mills to stay strong, keeping prices firm.',
    ].join('\n\n'),
  };

  it('returns selected sentences in document order and is deterministic', () => {
    const a = summarizeExtractive(english, { sentences: 3 });
    const b = summarizeExtractive(english, { sentences: 3 });
    expect(a).toEqual(b);
    const positions = a.sentences.map((s) => english.text.indexOf(s));
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    // The off-topic sentences lose to the ones the article keeps coming back to.
    expect(a.text).not.toMatch(/football|weather/);
    expect(a.text).toBe(a.sentences.join(' '));
  });

  it('defaults to three sentences', async () => {
    const s = await extractiveSummarizer().summarize(english);
    expect(s.sentences).toHaveLength(3);
    expect(s.method).toBe('extractive');
  });

  it('skips a body line that repeats the title, and returns nothing for an empty text', () => {
    const s = summarizeExtractive({ ...english, text: `Cotton prices rise\n\n${english.text}` }, { sentences: 1 });
    expect(s.sentences).not.toContain('Cotton prices rise');
    expect(summarizeExtractive({ title: 'x', text: ' \n\n ', lang: 'en' })).toEqual({ text: '', sentences: [], method: 'extractive' });
  });

  it('ranks only the first sentences of a very long text', () => {
    const filler = Array.from({ length: 200 }, (_, i) => `Filler sentence number ${i} about nothing in particular here.`);
    filler[150] = 'Cotton prices cotton mills cotton stocks cotton prices rise cotton demand cotton.';
    const s = summarizeExtractive({ title: 'Cotton prices rise', text: filler.join(' '), lang: 'en' }, { sentences: 3 });
    expect(s.sentences).toHaveLength(3);
    expect(s.text).not.toContain('Cotton prices cotton');
    expect(MAX_RANKED_SENTENCES).toBeLessThan(150);
  });

  it('rejects a nonsensical budget with a clear message', () => {
    expect(() => summarizeExtractive(english, { sentences: 0 })).toThrow(/sentences must be a positive integer/);
  });
});
