import { expect, it } from 'vitest';
import { formatWallTime } from '../src/time-zone.js';

it('formats a wall time in a zone, with its UTC offset on request (DST, negative and half-hour offsets)', () => {
  expect(formatWallTime(new Date('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toBe('Sun 2026-03-29 03:30');
  expect(formatWallTime(new Date('2026-03-29T01:30:00Z'), 'Europe/Berlin', { offset: true })).toBe('Sun 2026-03-29 03:30 +02:00');
  expect(formatWallTime(new Date('2026-03-29T00:30:00Z'), 'Europe/Berlin', { offset: true })).toBe('Sun 2026-03-29 01:30 +01:00');
  expect(formatWallTime(new Date('2026-11-25T00:00:00Z'), 'Asia/Shanghai', { offset: true })).toBe('Wed 2026-11-25 08:00 +08:00');
  expect(formatWallTime(new Date('2026-11-25T00:00:59.999Z'), 'America/St_Johns', { offset: true })).toBe('Tue 2026-11-24 20:30 -03:30');
  expect(formatWallTime(new Date('2026-11-25T00:00:00Z'), 'Asia/Kolkata', { offset: true })).toBe('Wed 2026-11-25 05:30 +05:30');
  expect(formatWallTime(new Date('2026-11-30T00:00:00Z'), 'UTC', { offset: true })).toBe('Mon 2026-11-30 00:00 +00:00');
});
