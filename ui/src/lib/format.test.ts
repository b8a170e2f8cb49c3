import { describe, expect, it } from 'vitest';
import { duration, relativeTime } from './format';

describe('format', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');

  it('formats relative times', () => {
    expect(relativeTime('2025-06-01T11:59:50Z', now)).toBe('just now');
    expect(relativeTime('2025-06-01T11:55:00Z', now)).toMatch(/5 minutes ago/);
    expect(relativeTime(null, now)).toBe('—');
    expect(relativeTime('not a date', now)).toBe('—');
  });

  it('formats durations', () => {
    expect(duration('2025-06-01T12:00:00Z', '2025-06-01T12:00:00.250Z')).toBe('250 ms');
    expect(duration('2025-06-01T12:00:00Z', '2025-06-01T12:00:03.5Z')).toBe('3.5 s');
    expect(duration('2025-06-01T12:00:00Z', '2025-06-01T12:04:03Z')).toBe('4 min 3 s');
    expect(duration('2025-06-01T12:00:00Z', '2025-06-01T14:05:00Z')).toBe('2 h 5 min');
    expect(duration('2025-06-01T12:00:00Z', '2025-06-04T16:00:00Z')).toBe('3 d 4 h');
    expect(duration('2025-06-01T12:00:00Z', null)).toBe('—');
  });
});
