// Slot computation for newsletter schedules (issue 6, scope 2): cron fields, DST in zones
// with and without it, catch-up after downtime and the messages for bad input.
import { describe, expect, it } from 'vitest';
import { catchUp, nextSlots, slotsBetween, validateSchedule } from '../../src/schedule/slots.js';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const Z = (s: string) => new Date(s);

function localDate(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

describe('DST', () => {
  it('London spring forward: 01:30 does not exist, runs once at 02:00 BST', () => {
    const got = slotsBetween('30 1 * * *', 'Europe/London', Z('2026-03-27T12:00Z'), Z('2026-03-30T12:00Z'));
    expect(iso(got)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('London fall back: 01:30 occurs twice, runs once at the first', () => {
    const got = slotsBetween('30 1 * * *', 'Europe/London', Z('2026-10-23T12:00Z'), Z('2026-10-26T12:00Z'));
    expect(iso(got)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('New York spring forward and fall back', () => {
    const spring = slotsBetween('30 2 * * *', 'America/New_York', Z('2026-03-06T12:00Z'), Z('2026-03-09T12:00Z'));
    expect(iso(spring)).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
    const fall = slotsBetween('30 1 * * *', 'America/New_York', Z('2026-10-30T12:00Z'), Z('2026-11-02T12:00Z'));
    expect(iso(fall)).toEqual(['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('Shanghai has no DST: 08:00 is always 00:00 UTC', () => {
    const got = slotsBetween('0 8 * * *', 'Asia/Shanghai', Z('2026-03-07T00:00Z'), Z('2026-03-10T00:00Z'));
    expect(iso(got)).toEqual(['2026-03-08T00:00:00.000Z', '2026-03-09T00:00:00.000Z', '2026-03-10T00:00:00.000Z']);
  });

  it('a daily job at every hour runs exactly once per local day for a whole year', () => {
    for (const zone of ['Europe/London', 'America/New_York', 'Asia/Shanghai']) {
      for (const hour of [0, 1, 2, 3, 12, 23]) {
        const got = slotsBetween(`30 ${hour} * * *`, zone, Z('2025-12-31T00:00Z'), Z('2027-01-01T12:00Z'));
        const days = got.map((d) => localDate(d, zone)).filter((d) => d.startsWith('2026-'));
        expect(new Set(days).size, `${zone} ${hour}:30`).toBe(365);
        expect(days.length, `${zone} ${hour}:30`).toBe(365);
      }
    }
  });

  it('hourly job: 23 runs on the short day, 24 (no repeated hour) on the long day', () => {
    const short = slotsBetween('0 * * * *', 'Europe/London', Z('2026-03-29T00:00Z'), Z('2026-03-29T23:00Z'));
    expect(short).toHaveLength(23);
    const long = slotsBetween('0 * * * *', 'Europe/London', Z('2026-10-24T23:00Z'), Z('2026-10-26T00:00Z'));
    expect(long).toHaveLength(24);
    expect(long.map((d) => d.toISOString())).not.toContain('2026-10-25T01:00:00.000Z');
  });
});

describe('cron fields', () => {
  const utc = (cron: string, from: string, to: string) => iso(slotsBetween(cron, 'UTC', Z(from), Z(to)));

  it('steps, ranges and lists', () => {
    expect(utc('*/15 * * * *', '2026-01-01T00:00Z', '2026-01-01T01:00Z')).toEqual(['00:15', '00:30', '00:45', '01:00'].map((t) => `2026-01-01T${t}:00.000Z`));
    expect(utc('5/20 9 * * *', '2026-01-01T00:00Z', '2026-01-02T00:00Z')).toEqual(['09:05', '09:25', '09:45'].map((t) => `2026-01-01T${t}:00.000Z`));
    expect(utc('0 8-18/5 * * *', '2026-01-01T00:00Z', '2026-01-02T00:00Z')).toEqual(['08', '13', '18'].map((h) => `2026-01-01T${h}:00:00.000Z`));
    expect(utc('0,30 9,17 * * *', '2026-01-01T00:00Z', '2026-01-02T00:00Z')).toEqual(
      ['09:00', '09:30', '17:00', '17:30'].map((t) => `2026-01-01T${t}:00.000Z`),
    );
  });

  it('interval is (from, to]', () => {
    expect(utc('0 9 * * *', '2026-01-01T09:00Z', '2026-01-02T09:00Z')).toEqual(['2026-01-02T09:00:00.000Z']);
  });

  it('weekdays, names and 7 as Sunday', () => {
    // 2026-01-05 is a Monday.
    const weekdays = utc('0 9 * * 1-5', '2026-01-04T00:00Z', '2026-01-11T00:00Z');
    expect(weekdays.map((d) => d.slice(0, 10))).toEqual(['2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09']);
    const sundays = ['0 9 * * 0', '0 9 * * 7', '0 9 * * SUN'].map((c) => utc(c, '2026-01-01T00:00Z', '2026-01-31T00:00Z'));
    expect(sundays[0]).toEqual(['2026-01-04', '2026-01-11', '2026-01-18', '2026-01-25'].map((d) => `${d}T09:00:00.000Z`));
    expect(sundays[1]).toEqual(sundays[0]);
    expect(sundays[2]).toEqual(sundays[0]);
  });

  it('months and day of month (ANDed with weekday, like node-cron)', () => {
    expect(utc('0 9 1 jan,jul *', '2026-01-01T00:00Z', '2027-01-01T00:00Z')).toEqual(['2026-01-01T09:00:00.000Z', '2026-07-01T09:00:00.000Z']);
    expect(utc('0 9 13 * 5', '2026-01-01T00:00Z', '2027-01-01T00:00Z')).toEqual(['2026-02-13', '2026-03-13', '2026-11-13'].map((d) => `${d}T09:00:00.000Z`));
    expect(utc('0 9 31 * *', '2026-01-01T00:00Z', '2026-06-01T00:00Z')).toEqual(['2026-01-31', '2026-03-31', '2026-05-31'].map((d) => `${d}T09:00:00.000Z`));
  });

  it('nextSlots gives n slots after a time, in the zone, reaching far when it must', () => {
    expect(iso(nextSlots('0 8 * * 1', 'Asia/Shanghai', Z('2026-11-24T00:00Z'), 2))).toEqual(['2026-11-30T00:00:00.000Z', '2026-12-07T00:00:00.000Z']);
    expect(iso(nextSlots('0 0 29 2 *', 'UTC', Z('2026-01-01T00:00Z'), 2))).toEqual(['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z']);
    expect(nextSlots('0 0 * * *', 'UTC', Z('2026-01-01T00:00Z'), 0)).toEqual([]);
  });
});

describe('catchUp', () => {
  const cron = '0 * * * *';
  const zone = 'Europe/Berlin';
  const lastSlot = Z('2026-05-01T10:00Z');

  it('nothing missed', () => {
    expect(catchUp(cron, zone, { lastSlot, now: Z('2026-05-01T10:59Z'), graceMinutes: 60 })).toEqual({ run: null, covered: [], skipped: [] });
  });

  it('one missed slot within grace is run', () => {
    expect(catchUp(cron, zone, { lastSlot, now: Z('2026-05-01T11:20Z'), graceMinutes: 60 })).toEqual({ run: Z('2026-05-01T11:00Z'), covered: [], skipped: [] });
  });

  it('several missed within grace: one combined run, the rest covered by it', () => {
    const got = catchUp(cron, zone, { lastSlot, now: Z('2026-05-01T13:30Z'), graceMinutes: 180 });
    expect(got).toEqual({ run: Z('2026-05-01T13:00Z'), covered: [Z('2026-05-01T11:00Z'), Z('2026-05-01T12:00Z')], skipped: [] });
  });

  it('many missed: old ones skipped, the latest within grace run', () => {
    const got = catchUp(cron, zone, { lastSlot, now: Z('2026-05-01T15:10Z'), graceMinutes: 30 });
    expect(got.run).toEqual(Z('2026-05-01T15:00Z'));
    expect(iso(got.skipped)).toEqual(['11', '12', '13', '14'].map((h) => `2026-05-01T${h}:00:00.000Z`));
  });

  it('all beyond grace: no run, all skipped', () => {
    const got = catchUp(cron, zone, { lastSlot, now: Z('2026-05-01T12:45Z'), graceMinutes: 30 });
    expect(got).toEqual({ run: null, covered: [], skipped: [Z('2026-05-01T11:00Z'), Z('2026-05-01T12:00Z')] });
  });

  it('a new schedule (no last slot) owes nothing', () => {
    expect(catchUp(cron, zone, { lastSlot: null, now: Z('2026-05-01T12:45Z'), graceMinutes: 30 })).toEqual({ run: null, covered: [], skipped: [] });
  });
});

describe('validateSchedule', () => {
  it('accepts good schedules', () => {
    expect(validateSchedule('0 8 * * *', 'Asia/Shanghai')).toBeNull();
    expect(validateSchedule(' 30  7 * * mon-fri ', 'Europe/Berlin')).toBeNull();
  });

  it('names what is wrong in one line', () => {
    const cases: [string, string, RegExp][] = [
      ['0 8 * *', 'UTC', /expected 5 fields .* got 4/],
      ['0 0 8 * * *', 'UTC', /got 6/],
      ['60 8 * * *', 'UTC', /minute field: 60 is outside 0-59/],
      ['0 24 * * *', 'UTC', /hour field: 24 is outside 0-23/],
      ['0 8 0 * *', 'UTC', /day of month field: 0 is outside 1-31/],
      ['0 8 * foo *', 'UTC', /month field: "foo" is not a number/],
      ['0 8 * * 1-8', 'UTC', /weekday field: 8 is outside 0-7/],
      ['*/0 8 * * *', 'UTC', /step "0" must be/],
      ['0 10-8 * * *', 'UTC', /runs backwards/],
      ['0 8 30 2 *', 'UTC', /never fires/],
      ['0 8 * * *', 'Mars/Olympus', /Unknown time zone "Mars\/Olympus"/],
    ];
    for (const [cron, zone, pattern] of cases) {
      const msg = validateSchedule(cron, zone);
      expect(msg, cron).toMatch(pattern);
      expect(msg, cron).not.toContain('\n');
    }
  });

  it('slot functions refuse bad input with the same message', () => {
    expect(() => slotsBetween('0 8 * *', 'UTC', Z('2026-01-01T00:00Z'), Z('2026-01-02T00:00Z'))).toThrow(/expected 5 fields/);
    expect(() => nextSlots('0 8 * * *', 'Nowhere/City', Z('2026-01-01T00:00Z'), 1)).toThrow(/Unknown time zone/);
  });
});
