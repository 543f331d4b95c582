import { describe, expect, it } from 'vitest';
import { isPromptSentence, stripBoilerplateLines, stripInlineCredits } from '../../src/summarize/boilerplate.js';

describe('stripBoilerplateLines', () => {
  it('drops bylines, photo credits, image file names, URLs and copyright lines', () => {
    const paragraphs = [
      'By Jane Doe, BBC News',
      'Photo: Reuters/Jason Lee',
      '(Image by John Smith/Getty Images)',
      '7df2-16cfb3b23858822b192d60777a992840.jpg',
      'https://example.com/story?id=3',
      '记者 王晓明 报道',
      '文/李四',
      '图片来源：视觉中国',
      'The body starts here.\n© 2024 Example Media. All rights reserved.',
    ];
    expect(stripBoilerplateLines(paragraphs)).toEqual(['The body starts here.']);
  });

  it('keeps body lines that merely look alike', () => {
    const body = [
      'By the end of the year sales had doubled',
      'By Monday the firm had lost 3.5 million customers',
      'Image-conscious brands spent more on advertising.',
      '记者从国家统计局获悉，6月份CPI同比持平。',
      'The story was picked up widely, and analysts expect more.',
    ];
    expect(stripBoilerplateLines(body)).toEqual(body);
  });

  it('cuts the navigation footer and everything after it', () => {
    expect(stripBoilerplateLines(['Body text.', 'Last text:Global PMI hits a low. Next text:Cotton rebounds.', 'Related links'])).toEqual(['Body text.']);
    expect(stripBoilerplateLines(['正文。\n上一篇：全球制造业PMI走低\n下一篇：棉纺织行业回升'])).toEqual(['正文。']);
    expect(stripBoilerplateLines(['Body.', 'Previous article: A', 'Next article: B'])).toEqual(['Body.']);
  });

  it('does not take a closing paragraph that starts with "Next" for a footer', () => {
    expect(stripBoilerplateLines(['Body.', 'Next, the ministry will publish its plan.'])).toEqual(['Body.', 'Next, the ministry will publish its plan.']);
  });
});

describe('isPromptSentence', () => {
  it('recognizes calls to action and share prompts', () => {
    for (const s of [
      'Click here to read the full report.',
      'Read more: Cotton prices at a two-year high',
      'Share this article on Facebook',
      'Follow us on Twitter for updates.',
      'Related: Yarn exports fall',
      '点击阅读原文，查看更多行业数据。',
      '扫码关注公众号，获取更多资讯。',
      '分享到：微信 微博',
    ]) {
      expect(isPromptSentence(s), s).toBe(true);
    }
  });

  it('leaves ordinary sentences alone', () => {
    for (const s of [
      'Watch the markets closely, analysts said.',
      'Investors should read more into the figures than the headline suggests.',
      'Shoppers increasingly pay by scanning a code: 消费者扫码支付已很普遍。',
      '网友纷纷点赞这一做法。',
    ]) {
      expect(isPromptSentence(s), s).toBe(false);
    }
  });
});

describe('stripInlineCredits', () => {
  it('removes credits in brackets and keeps the sentence', () => {
    expect(stripInlineCredits('The mill reopened (Photo: Reuters) on Monday.')).toBe('The mill reopened on Monday.');
    expect(stripInlineCredits('工信部召开座谈会（记者 张三）。')).toBe('工信部召开座谈会。');
    expect(stripInlineCredits('（图片来源：网络）')).toBe('');
  });
});
