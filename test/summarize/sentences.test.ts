import { describe, expect, it } from 'vitest';
import { splitParagraphs, splitSentences } from '../../src/summarize/sentences.js';

const en = (text: string) => splitSentences(splitParagraphs(text), 'en');
const zh = (text: string) => splitSentences(splitParagraphs(text), 'zh');

describe('splitSentences: the UAX #29 mistakes we repair', () => {
  it('keeps titles with the name that follows', () => {
    expect(en('Mr. Smith met Dr. Jones at St. Paul. They talked.')).toEqual(['Mr. Smith met Dr. Jones at St. Paul.', 'They talked.']);
    expect(en('Prof. Lee and Gov. Brown spoke.')).toEqual(['Prof. Lee and Gov. Brown spoke.']);
  });

  it('keeps "No. 3" and "Jan. 5" together but not a sentence ending in "no."', () => {
    expect(en('He is the No. 3 Seed in the draw. Fine.')).toEqual(['He is the No. 3 Seed in the draw.', 'Fine.']);
    expect(en('Talks began on Jan. 5 After a delay. Then stalled.')).toEqual(['Talks began on Jan. 5 After a delay.', 'Then stalled.']);
    expect(en('The answer was no. The vote failed.')).toEqual(['The answer was no.', 'The vote failed.']);
  });

  it('joins initialisms to a capitalized continuation, splits before a sentence starter', () => {
    expect(en('The U.S. Senate voted. It passed.')).toEqual(['The U.S. Senate voted.', 'It passed.']);
    expect(en('Prices rose in the U.S. The euro fell.')).toEqual(['Prices rose in the U.S.', 'The euro fell.']);
    expect(en('It ended at 3 p.m. The crowd left.')).toEqual(['It ended at 3 p.m.', 'The crowd left.']);
    expect(en('John F. Kennedy spoke. He left.')).toEqual(['John F. Kennedy spoke.', 'He left.']);
  });

  it('never splits decimals or amounts', () => {
    expect(en('Profits jumped 76% to $1.13bn (£600m). Sales rose 3.5%.')).toEqual(['Profits jumped 76% to $1.13bn (£600m).', 'Sales rose 3.5%.']);
  });

  it('keeps a closing quote after the full stop with its sentence, and the speaker after ?/!', () => {
    expect(en('"We will win." He smiled. "Really?" she asked. "Yes!" he said.')).toEqual([
      '"We will win."',
      'He smiled.',
      '"Really?" she asked.',
      '"Yes!" he said.',
    ]);
    expect(en('He said “go.” Then he left.')).toEqual(['He said “go.”', 'Then he left.']);
  });

  it('moves an opening quote to the sentence it opens (Chinese)', () => {
    expect(zh('价格上涨！“真的吗？”他问。')).toEqual(['价格上涨！', '“真的吗？”他问。']);
  });

  it('keeps a Chinese quote with its speaker after the closing full stop', () => {
    expect(zh('出口下降。“出口形势依然严峻。”一位企业负责人表示。下半年有望回升。')).toEqual([
      '出口下降。',
      '“出口形势依然严峻。”一位企业负责人表示。',
      '下半年有望回升。',
    ]);
  });

  it('splits Chinese on 。！？ and keeps numbers whole', () => {
    expect(zh('增长了3.5%，达到1.2万亿元。同比增长；环比下降！为什么？')).toEqual(['增长了3.5%，达到1.2万亿元。', '同比增长；环比下降！', '为什么？']);
  });
});

describe('splitSentences: paragraphs and lines', () => {
  it('never joins across paragraphs, even without a full stop', () => {
    expect(en('A heading without a stop\n\nthe body starts here.')).toEqual(['A heading without a stop', 'the body starts here.']);
  });

  it('treats a line break before a lower-case word as a hard wrap, other line breaks as breaks', () => {
    expect(en('The ministry said the plan\nwould start in May. Officials agreed.')).toEqual([
      'The ministry said the plan would start in May.',
      'Officials agreed.',
    ]);
    expect(en('One sentence per line\nAnother line')).toEqual(['One sentence per line', 'Another line']);
  });

  it('splitParagraphs drops empty blocks and trims', () => {
    expect(splitParagraphs('\n\n  one\ntwo  \n \n\n three \n')).toEqual(['one\ntwo', 'three']);
  });
});
