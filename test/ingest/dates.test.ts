import { describe, expect, it } from 'vitest';
import { assertTimeZone, choosePublished, zonedTimeToUtc } from '../../src/ingest/dates.js';

const wall = (s: string) => {
  const [d, t] = s.split(' ') as [string, string];
  const [year, month, day] = d.split('-').map(Number) as [number, number, number];
  const [hour, minute, second] = t.split(':').map(Number) as [number, number, number];
  return { year, month, day, hour, minute, second };
};

describe('zonedTimeToUtc', () => {
  it('reads wall-clock times in an IANA zone', () => {
    expect(zonedTimeToUtc(wall('2023-07-23 19:35:01'), 'Asia/Shanghai').toISOString()).toBe('2023-07-23T11:35:01.000Z');
    expect(zonedTimeToUtc(wall('2023-01-01 00:00:00'), 'UTC').toISOString()).toBe('2023-01-01T00:00:00.000Z');
    expect(zonedTimeToUtc(wall('2023-07-01 12:00:00'), 'America/New_York').toISOString()).toBe('2023-07-01T16:00:00.000Z');
    expect(zonedTimeToUtc(wall('2023-12-01 12:00:00'), 'America/New_York').toISOString()).toBe('2023-12-01T17:00:00.000Z');
  });

  it('handles the hours around daylight-saving changes', () => {
    // Berlin springs forward at 01:00Z on 2023-03-26 and falls back at 01:00Z on 2023-10-29.
    expect(zonedTimeToUtc(wall('2023-03-26 01:30:00'), 'Europe/Berlin').toISOString()).toBe('2023-03-26T00:30:00.000Z');
    expect(zonedTimeToUtc(wall('2023-03-26 03:30:00'), 'Europe/Berlin').toISOString()).toBe('2023-03-26T01:30:00.000Z');
    // 02:30 happens twice on 29 October: the earlier instant is taken.
    expect(zonedTimeToUtc(wall('2023-10-29 02:30:00'), 'Europe/Berlin').toISOString()).toBe('2023-10-29T00:30:00.000Z');
    expect(zonedTimeToUtc(wall('2023-10-29 04:00:00'), 'Europe/Berlin').toISOString()).toBe('2023-10-29T03:00:00.000Z');
    // 02:30 on 26 March does not exist: read with the winter offset.
    expect(zonedTimeToUtc(wall('2023-03-26 02:30:00'), 'Europe/Berlin').toISOString()).toBe('2023-03-26T01:30:00.000Z');
  });

  it('refuses impossible times and unknown zones', () => {
    expect(() => zonedTimeToUtc(wall('2023-02-30 10:00:00'), 'UTC')).toThrow(/not a valid date/);
    expect(() => zonedTimeToUtc(wall('2023-13-01 10:00:00'), 'UTC')).toThrow(/not a valid date/);
    expect(() => zonedTimeToUtc(wall('2023-01-01 24:00:00'), 'UTC')).toThrow(/not a valid date/);
    expect(() => zonedTimeToUtc(wall('2023-01-01 10:00:00'), 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => assertTimeZone('Asia/Shanghai')).not.toThrow();
  });
});

describe('choosePublished', () => {
  const fetched = new Date('2026-01-10T00:00:00Z');
  it('keeps sane dates and replaces the rest with the fetch time', () => {
    expect(choosePublished(new Date('2026-01-09T00:00:00Z'), undefined, fetched).toISOString()).toBe('2026-01-09T00:00:00.000Z');
    expect(choosePublished(undefined, undefined, fetched)).toEqual(fetched);
    expect(choosePublished(new Date('1989-12-31T23:59:59Z'), undefined, fetched)).toEqual(fetched);
    expect(choosePublished(new Date('1990-01-01T00:00:00Z'), undefined, fetched).toISOString()).toBe('1990-01-01T00:00:00.000Z');
    expect(choosePublished(new Date('2026-01-11T00:00:00Z'), undefined, fetched).toISOString()).toBe('2026-01-11T00:00:00.000Z');
    expect(choosePublished(new Date('2026-01-11T00:00:01Z'), undefined, fetched)).toEqual(fetched);
  });
});
