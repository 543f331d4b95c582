// Digest models for the email renderer's tests: small, realistic, and easy to make hostile.
import type { DigestItem, DigestModel, Recipient, SenderInfo } from '../../src/digest/model.js';

export const SENDER: SenderInfo = {
  organization: 'Cotton Growers Association',
  postalAddress: '12 Mill Street\nManchester M1 2AB\nUnited Kingdom',
  publicUrl: 'https://news.example.org',
};

export const RECIPIENT: Recipient = {
  name: 'Alice',
  unsubscribeUrl: 'https://news.example.org/unsubscribe?t=tok123',
  preferencesUrl: 'https://news.example.org/preferences?t=tok123',
};

let nextId = 1;

export function item(over: Partial<DigestItem> = {}): DigestItem {
  const id = nextId++;
  return {
    articleId: id,
    title: `Cotton futures climb for a third day (${id})`,
    url: `https://wire.example.com/markets/cotton-${id}`,
    source: { id: 1, name: 'Commodity Wire' },
    publishedAt: new Date('2026-11-23T09:30:00Z'),
    lang: 'en',
    category: 'markets',
    summary: 'Cotton futures rose 2% on Monday as mills restocked. Analysts expect the rally to continue.',
    imageUrl: `https://img.example.com/cotton-${id}.jpg`,
    alsoReportedBy: [{ name: 'Textile Daily', url: 'https://textile.example.net/a' }],
    reasons: ['matches keyword "cotton"'],
    ...over,
  };
}

export function model(over: Partial<DigestModel> = {}): DigestModel {
  return {
    newsletter: { id: 7, slug: 'cotton-daily', name: 'Cotton Daily', language: 'en' },
    slotAt: new Date('2026-11-24T07:00:00Z'),
    timeZone: 'Europe/London',
    sections: [
      { title: 'Markets', items: [item(), item()] },
      { title: 'Policy', items: [item({ imageUrl: null, alsoReportedBy: [] })] },
    ],
    archiveUrl: 'https://news.example.org/cotton-daily/2026-11-24',
    ...over,
  };
}
