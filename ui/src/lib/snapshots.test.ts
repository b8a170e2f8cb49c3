import { describe, expect, it } from 'vitest';
import { ageOf, formatAsOf, runParameters, runTable, snapshotLabel, svgImageSource, tileTable } from './snapshots';

describe('snapshot label', () => {
  it('names the cluster and the as-of time in UTC', () => {
    const asOf = Date.UTC(2026, 10, 28, 17, 5, 42);
    expect(snapshotLabel({ cluster_name: 'Production', as_of: asOf })).toBe(
      'Snapshot of Production as of 2026-11-28 17:05 UTC',
    );
  });

  it('says so when the time is unusable', () => {
    expect(formatAsOf(Number.NaN)).toBe('an unknown time');
    expect(formatAsOf(8.64e15 + 1)).toBe('an unknown time');
  });

  it('tells how old the numbers are', () => {
    const now = Date.UTC(2026, 10, 28, 12, 0, 0);
    expect(ageOf(now - 20_000, now)).toBe('just now');
    expect(ageOf(now - 60_000, now)).toBe('1 minute old');
    expect(ageOf(now - 45 * 60_000, now)).toBe('45 minutes old');
    expect(ageOf(now - 3 * 3_600_000, now)).toBe('3 hours old');
    expect(ageOf(now - 5 * 86_400_000, now)).toBe('5 days old');
  });
});

describe('snapshot content', () => {
  it('turns a chart into an image source, never markup for the page', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>Médiane</text></svg>';
    const source = svgImageSource(svg);
    expect(source.startsWith('data:image/svg+xml;base64,')).toBe(true);
    const bytes = Uint8Array.from(atob(source.split(',')[1]), (c) => c.charCodeAt(0));
    expect(new TextDecoder().decode(bytes)).toBe(svg);
  });

  it("reads a run's table and parameters, and nothing from other shapes", () => {
    const run = {
      parameters: { process_id: 'order-approval', version: 2 },
      result: { columns: ['day', 'completed'], rows: [['2026-11-28', 7], 'not a row'] },
    };
    expect(runTable(run)).toEqual({ columns: ['day', 'completed'], rows: [['2026-11-28', 7]] });
    expect(runParameters(run)).toEqual([
      ['process_id', 'order-approval'],
      ['version', '2'],
    ]);
    expect(runTable(null)).toBeNull();
    expect(runTable({ result: { columns: 'day', rows: [] } })).toBeNull();
    expect(runTable({ result: { value: 3 } })).toBeNull();
    expect(runParameters({ parameters: null })).toEqual([]);
  });
});

describe('tile tables', () => {
  it('shows each kind of tile data as rows', () => {
    expect(tileTable({ columns: ['a'], rows: [[1]] })).toEqual({ columns: ['a'], rows: [[1]] });
    expect(tileTable({ items: [{ label: 'approve', value: 4 }, null] })).toEqual({
      columns: ['label', 'value'],
      rows: [['approve', 4]],
    });
    expect(tileTable({ points: [{ t: 1000, value: null }] })).toEqual({ columns: ['start', 'value'], rows: [[1000, null]] });
    expect(tileTable({ process_id: 'p', version: 1, elements: [{ element_id: 'review', count: 3, mean_ms: 5 }] })).toEqual({
      columns: ['element_id', 'count', 'mean_ms', 'p90_ms'],
      rows: [['review', 3, 5, null]],
    });
  });

  it('has nothing to show for a KPI or unknown data', () => {
    expect(tileTable({ value: 3 })).toBeNull();
    expect(tileTable(null)).toBeNull();
    expect(tileTable('text')).toBeNull();
  });
});
