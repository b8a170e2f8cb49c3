import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiProblem, reportDownloadUrl, type DashboardDefinition, type DashboardTile, type HeatmapData } from './api';
import {
  addTile,
  asOfText,
  cellText,
  dashboardProblems,
  dateInputToMs,
  fieldsOf,
  filterProblem,
  filtersFromDefinition,
  filtersToDefinition,
  formatMs,
  heatColour,
  heatOverlays,
  heatScale,
  HEAT_COLOURS,
  kpiChange,
  legendStops,
  moveTile,
  nextTileId,
  parameterProblems,
  parametersOf,
  rangeOf,
  refreshMs,
  removeTile,
  reportProblems,
  runHasChart,
  scheduleProblem,
  sqlParameterNames,
  svgDataUrl,
  tileQuery,
  variableText,
  variableValue,
  updateTile,
  withSource,
  type FilterState,
} from './insights';

const DAY = 86_400_000;
/** 2026-01-10 00:00:00 UTC */
const JAN_10 = Date.UTC(2026, 0, 10);

function mockFetch(...responses: Response[]) {
  const fn = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => {
    const next = responses.shift();
    if (!next) throw new Error('unexpected request');
    return next;
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

afterEach(() => {
  vi.unstubAllGlobals();
});

const tile = (id: string, extra: Partial<DashboardTile> = {}): DashboardTile => ({
  id,
  title: id,
  kind: 'kpi',
  metric: 'started',
  ...extra,
});

const noFilters: FilterState = { process_id: '', version: '', range: 'all', from: '', to: '' };

describe('dashboard API calls', () => {
  it('asks for a tile with the filters as query parameters, leaving out empty ones', async () => {
    const fetch = mockFetch(json({ value: 12, previous: 10 }));
    const data = await api.tileData('d 1', 'tile/1', { process_id: 'order', from: 5, to: undefined });
    expect(data).toEqual({ value: 12, previous: 10 });
    expect(fetch.mock.calls[0][0]).toBe('/api/dashboards/d%201/tiles/tile%2F1?process_id=order&from=5');
  });

  it('fetches a chart as SVG text from the chart endpoint', async () => {
    const fetch = mockFetch(new Response('<svg xmlns="http://www.w3.org/2000/svg"/>', { headers: { 'Content-Type': 'image/svg+xml' } }));
    const svg = await api.tileChartSvg('d1', 't1', { version: 2 });
    expect(svg).toContain('<svg');
    expect(fetch.mock.calls[0][0]).toBe('/api/dashboards/d1/tiles/t1/chart?version=2&format=svg');
  });

  it('creates and updates dashboards with the whole definition as JSON', async () => {
    const definition: DashboardDefinition = { filters: { process_id: 'order' }, refresh_seconds: 30, tiles: [tile('t1')] };
    const body = { name: 'Orders', description: '', roles: ['viewer'], definition };
    const fetch = mockFetch(json({ id: 'd1', ...body }, 201), json({ id: 'd1', ...body }));
    await api.createDashboard(body);
    await api.updateDashboard('d1', body);
    const [create, update] = fetch.mock.calls;
    expect(create[0]).toBe('/api/dashboards');
    expect(create[1]?.method).toBe('POST');
    expect(JSON.parse(String(create[1]?.body))).toEqual(body);
    expect(update[0]).toBe('/api/dashboards/d1');
    expect(update[1]?.method).toBe('PUT');
  });

  it('turns a refused save into a problem naming the field', async () => {
    mockFetch(
      json(
        {
          type: 'https://flowdesk.dev/problems/invalid-request',
          title: 'Invalid request',
          status: 400,
          detail: 'definition.tiles[0].metric: unknown metric "speed"',
        },
        400,
      ),
    );
    const error = await api.createDashboard({ name: 'x', description: '', roles: [], definition: { filters: {}, tiles: [] } }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiProblem);
    expect((error as ApiProblem).status).toBe(400);
    expect((error as ApiProblem).userMessage).toContain('tiles[0].metric');
  });
});

describe('report API calls', () => {
  it('runs a report with its parameters and lists its runs', async () => {
    const fetch = mockFetch(json({ id: 'r1' }, 201), json([]));
    await api.runReport('Claims per day', { process_id: 'claims', from: '1' });
    await api.listReportRuns('Claims per day');
    expect(fetch.mock.calls[0][0]).toBe('/api/reports/Claims%20per%20day/run');
    expect(JSON.parse(String(fetch.mock.calls[0][1]?.body))).toEqual({ parameters: { process_id: 'claims', from: '1' } });
    expect(fetch.mock.calls[1][0]).toBe('/api/reports/Claims%20per%20day/runs');
  });

  it('links downloads with the format', () => {
    expect(reportDownloadUrl('r 1', 'run1', 'xlsx')).toBe('/api/reports/r%201/runs/run1/download?format=xlsx');
  });

  it('fetches a run chart as SVG through the download endpoint', async () => {
    const fetch = mockFetch(new Response('<svg/>'));
    expect(await api.reportRunSvg('r1', 'run1')).toBe('<svg/>');
    expect(fetch.mock.calls[0][0]).toBe('/api/reports/r1/runs/run1/download?format=svg');
  });
});

describe('tile editing', () => {
  it('gives new tiles the first free id, a title after the metric and a width after the kind', () => {
    let tiles = addTile([], { kind: 'kpi', metric: 'started' });
    tiles = addTile(tiles, { kind: 'heatmap', metric: 'duration_p90', title: '  Bottlenecks ' });
    tiles = addTile(tiles, { kind: 'series', metric: 'throughput', process_id: 'order' });
    expect(tiles.map((t) => [t.id, t.title, t.width, t.process_id])).toEqual([
      ['tile-1', 'Instances started', 1, undefined],
      ['tile-2', 'Bottlenecks', 3, undefined],
      ['tile-3', 'Throughput', 2, 'order'],
    ]);
    expect(nextTileId(removeTile(tiles, 'tile-2'))).toBe('tile-2');
  });

  it('moves tiles and stops at the ends', () => {
    const tiles = [tile('a'), tile('b'), tile('c')];
    expect(moveTile(tiles, 'c', -1).map((t) => t.id)).toEqual(['a', 'c', 'b']);
    expect(moveTile(tiles, 'a', -1).map((t) => t.id)).toEqual(['a', 'b', 'c']);
    expect(moveTile(tiles, 'a', 5).map((t) => t.id)).toEqual(['b', 'c', 'a']);
    expect(moveTile(tiles, 'missing', 1).map((t) => t.id)).toEqual(['a', 'b', 'c']);
  });

  it('updates one tile, keeps its id and drops an emptied process', () => {
    const tiles = [tile('a', { process_id: 'order' }), tile('b')];
    const updated = updateTile(tiles, 'a', { id: 'z', process_id: '', kind: 'table' });
    expect(updated[0]).toEqual({ id: 'a', title: 'a', kind: 'table', metric: 'started' });
    expect(updated[1]).toBe(tiles[1]);
  });

  it('names every problem that stops a save', () => {
    const definition: DashboardDefinition = {
      filters: { from: 10, to: 5 },
      refresh_seconds: 2,
      tiles: [tile('a', { title: ' ' }), tile('b', { kind: 'heatmap', title: 'Heat' })],
    };
    expect(dashboardProblems('', definition)).toEqual([
      'The dashboard needs a name.',
      'Tile 1 needs a title.',
      'Tile 2 ("Heat") is a heatmap: choose its process or a dashboard process filter.',
      'Auto-refresh must be a whole number of seconds, at least 5.',
      'The date range ends before it starts.',
    ]);
    expect(dashboardProblems('Ops', { filters: {}, tiles: [] })).toEqual(['Add at least one tile.']);
    expect(
      dashboardProblems('Ops', { filters: { process_id: 'order' }, refresh_seconds: 30, tiles: [tile('b', { kind: 'heatmap' })] }),
    ).toEqual([]);
  });
});

describe('filters', () => {
  it('reads a saved range as a custom range of inclusive UTC days', () => {
    const state = filtersFromDefinition({ process_id: 'order', version: 3, from: JAN_10, to: JAN_10 + 7 * DAY });
    expect(state).toEqual({
      process_id: 'order',
      version: '3',
      range: 'custom',
      from: '2026-01-10',
      to: '2026-01-16',
      variable: '',
      value: '',
    });
    expect(rangeOf(state, 0)).toEqual({ from: JAN_10, to: JAN_10 + 7 * DAY });
    expect(filtersToDefinition(state)).toEqual({ process_id: 'order', version: 3, from: JAN_10, to: JAN_10 + 7 * DAY });
  });

  it('ends relative ranges now and does not save them', () => {
    const state: FilterState = { ...noFilters, range: '7d' };
    expect(rangeOf(state, JAN_10)).toEqual({ from: JAN_10 - 7 * DAY, to: JAN_10 });
    expect(filtersToDefinition(state)).toEqual({});
    expect(rangeOf(noFilters, JAN_10)).toEqual({});
  });

  it('keeps a saved variable filter and drops a version without a process', () => {
    const state: FilterState = { ...noFilters, version: '2' };
    expect(filtersToDefinition(state, { variable: { name: 'region', value: 'EU' } })).toEqual({
      variable: { name: 'region', value: 'EU' },
    });
  });

  it('filters on a variable value typed as a number, true/false or text, and saves it', () => {
    expect(variableValue(' 42 ')).toBe(42);
    expect(variableValue('-1.5e3')).toBe(-1500);
    expect(variableValue('true')).toBe(true);
    expect(variableValue('EU')).toBe('EU');
    expect(variableValue('"42"')).toBe('42');
    expect(variableValue('"EU')).toBeNull();
    expect(variableValue('  ')).toBeNull();
    for (const value of ['EU', '42', 'true', 42, false]) expect(variableValue(variableText(value))).toBe(value);
    const saved = { process_id: 'order', variable: { name: 'region', value: '42' } };
    const state = filtersFromDefinition(saved);
    expect([state.variable, state.value]).toEqual(['region', '"42"']);
    expect(filtersToDefinition(state)).toEqual(saved);
    expect(filtersToDefinition({ ...state, variable: '' }, saved)).toEqual({ process_id: 'order' });
    expect(tileQuery({ ...noFilters, variable: 'region', value: 'EU' }, tile('a'), 0)).toEqual({ variable: 'region', value: '"EU"' });
    expect(tileQuery({ ...noFilters, variable: 'amount', value: '42' }, tile('a'), 0)).toEqual({ variable: 'amount', value: '42' });
    expect(tileQuery({ ...noFilters, variable: 'region', value: '' }, tile('a'), 0)).toEqual({});
  });

  it('says what is missing from a variable filter', () => {
    expect(filterProblem({ ...noFilters, variable: 'region', value: ' ' })).toBe('Give the value of the variable "region".');
    expect(filterProblem({ ...noFilters, variable: '', value: 'EU' })).toBe('Give the name of the variable the value is for.');
    expect(filterProblem({ ...noFilters, variable: 'region', value: '"EU' })).toBe('"EU is not a value: a number, true, false or text.');
    expect(filterProblem({ ...noFilters, variable: 'region', value: 'EU' })).toBeNull();
  });

  it('refuses dates that are not dates and ranges that end before they start', () => {
    expect(dateInputToMs('2026-02-30')).toBe(Date.UTC(2026, 2, 2));
    expect(dateInputToMs('10/01/2026')).toBeNull();
    expect(filterProblem({ ...noFilters, range: 'custom', from: 'soon' })).toBe('"soon" is not a date (yyyy-mm-dd).');
    expect(filterProblem({ ...noFilters, range: 'custom', from: '2026-01-10', to: '2026-01-09' })).toBe(
      'The range ends before it starts.',
    );
    expect(filterProblem({ ...noFilters, range: 'custom', from: '2026-01-10', to: '2026-01-10' })).toBeNull();
  });

  it('queries a tile with the filter bar, a tile process overriding it and the version only for its process', () => {
    const state: FilterState = { process_id: 'order', version: '2', range: '24h', from: '', to: '' };
    expect(tileQuery(state, tile('a'), JAN_10)).toEqual({ process_id: 'order', version: 2, from: JAN_10 - DAY, to: JAN_10 });
    expect(tileQuery(state, tile('b', { process_id: 'claims' }), JAN_10)).toEqual({
      process_id: 'claims',
      from: JAN_10 - DAY,
      to: JAN_10,
    });
    expect(tileQuery(noFilters, tile('c'), JAN_10)).toEqual({});
  });
});

describe('refresh and as-of', () => {
  it('refreshes at the saved period, at least every 5 s, or not at all', () => {
    expect(refreshMs({ filters: {}, tiles: [], refresh_seconds: 30 })).toBe(30_000);
    expect(refreshMs({ filters: {}, tiles: [], refresh_seconds: 1 })).toBe(5_000);
    expect(refreshMs({ filters: {}, tiles: [], refresh_seconds: 0 })).toBeNull();
    expect(refreshMs({ filters: {}, tiles: [] })).toBeNull();
  });

  it('says how old the numbers are', () => {
    expect(asOfText(JAN_10, JAN_10 + 3_000)).toMatch(/\(just now\)$/);
    expect(asOfText(JAN_10, JAN_10 + 45_000)).toMatch(/\(45 s ago\)$/);
    expect(asOfText(JAN_10, JAN_10 + 20 * 60_000)).toMatch(/\(20 min ago\)$/);
    expect(asOfText(JAN_10, JAN_10 + 5 * 3_600_000)).toMatch(/\(5 h ago\)$/);
    expect(asOfText(JAN_10, JAN_10 + 3 * DAY)).toMatch(/\(3 days ago\)$/);
    expect(asOfText(JAN_10, JAN_10)).toContain('2026');
  });

  it('compares a KPI with its previous period', () => {
    expect(kpiChange(120, 100)).toEqual({ direction: 'up', percent: 20 });
    expect(kpiChange(50, 200)).toEqual({ direction: 'down', percent: -75 });
    expect(kpiChange(5, 0)).toEqual({ direction: 'up', percent: null });
    expect(kpiChange(7, 7)).toEqual({ direction: 'flat', percent: 0 });
    expect(kpiChange(7, undefined)).toBeNull();
  });

  it('formats durations', () => {
    expect([850, 4_200, 200_000, 7_500_000, 3 * DAY + 4 * 3_600_000].map(formatMs)).toEqual([
      '850 ms',
      '4.2 s',
      '3 min 20 s',
      '2 h 5 min',
      '3 d 4 h',
    ]);
    expect(formatMs(null)).toBe('—');
  });
});

describe('charts', () => {
  it('turns SVG text into a data URL an image decodes back to the same text', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>50% & #1</text></svg>';
    const url = svgDataUrl(svg);
    expect(url.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true);
    expect(url).not.toContain('#');
    expect(decodeURIComponent(url.slice(url.indexOf(',') + 1))).toBe(svg);
  });
});

describe('heatmap colour scale', () => {
  it('runs from the first colour to the last, through the middle one', () => {
    expect(heatColour(0)).toBe(HEAT_COLOURS[0]);
    expect(heatColour(0.5)).toBe(HEAT_COLOURS[2]);
    expect(heatColour(1)).toBe(HEAT_COLOURS[4]);
    expect(heatColour(-3)).toBe(HEAT_COLOURS[0]);
    expect(heatColour(7)).toBe(HEAT_COLOURS[4]);
    expect(heatColour(Number.NaN)).toBe(HEAT_COLOURS[0]);
    // Halfway between #2c7bb6 and #abd9e9.
    expect(heatColour(0.125)).toBe('#6caad0');
  });

  it('places values linearly between the smallest and the largest', () => {
    const scale = heatScale([10, 30, 20, Number.NaN])!;
    expect([scale.min, scale.max]).toEqual([10, 30]);
    expect([scale.position(10), scale.position(20), scale.position(30), scale.position(99)]).toEqual([0, 0.5, 1, 1]);
    expect(heatScale([])).toBeNull();
    expect(heatScale([4, 4])!.position(4)).toBe(1);
  });

  const data: HeatmapData = {
    process_id: 'order',
    version: 1,
    elements: [
      { element_id: 'start', count: 100, mean_ms: 0, p90_ms: 0 },
      { element_id: 'review', count: 60, mean_ms: 3_600_000, p90_ms: 7_200_000 },
      { element_id: 'ship', count: 20, mean_ms: 600_000, p90_ms: 900_000 },
      { element_id: 'never', count: 0, mean_ms: null, p90_ms: null },
    ],
  };

  it('colours elements by how often they ran, leaving out those that never did', () => {
    const { overlays, scale } = heatOverlays(data, 'count');
    expect([...overlays.keys()]).toEqual(['start', 'review', 'ship']);
    expect(overlays.get('start')!.colour).toBe(HEAT_COLOURS[4]);
    expect(overlays.get('ship')!.colour).toBe(HEAT_COLOURS[0]);
    expect(overlays.get('review')!.colour).toBe(heatColour(0.5));
    expect(overlays.get('review')!.label).toBe('60');
    expect(overlays.get('review')!.title).toBe('review: 60 time(s), mean 1 h, p90 2 h');
    expect([scale!.min, scale!.max]).toEqual([20, 100]);
  });

  it('colours elements by mean duration in duration mode', () => {
    const { overlays } = heatOverlays(data, 'duration');
    expect(overlays.get('review')!.colour).toBe(HEAT_COLOURS[4]);
    expect(overlays.get('start')!.colour).toBe(HEAT_COLOURS[0]);
    expect(overlays.get('ship')!.label).toBe('10 min');
    expect(overlays.has('never')).toBe(false);
  });

  it('labels the legend from low to high', () => {
    const scale = heatScale([20, 100])!;
    expect(legendStops(scale, 'count').map((s) => s.label)).toEqual(['20', '40', '60', '80', '100']);
    expect(legendStops(scale, 'count').map((s) => s.colour)).toEqual([...HEAT_COLOURS]);
    expect(legendStops(heatScale([3_600_000])!, 'duration')).toEqual([{ colour: HEAT_COLOURS[4], label: '1 h' }]);
    expect(legendStops(heatScale([4, 6])!, 'count')).toEqual([
      { colour: HEAT_COLOURS[0], label: '4' },
      { colour: HEAT_COLOURS[2], label: '5' },
      { colour: HEAT_COLOURS[4], label: '6' },
    ]);
  });
});

describe('reports', () => {
  it('converts run parameters to and from the fields', () => {
    const fields = { process_id: ' claims ', version: '2', from: '2026-01-10', to: '2026-01-16' };
    const parameters = parametersOf(fields);
    expect(parameters).toEqual({ process_id: 'claims', version: '2', from: String(JAN_10), to: String(JAN_10 + 7 * DAY) });
    expect(fieldsOf(parameters)).toEqual({ ...fields, process_id: 'claims' });
    expect(parametersOf({ process_id: '', version: '', from: '', to: '' })).toEqual({});
  });

  it('names wrong columns, chart series and parameters', () => {
    expect(
      reportProblems('', {
        source: 'kpis',
        parameters: { version: 'two', from: '10', to: '5' },
        columns: ['figure', 'started'],
        chart: { kind: 'bar', x: 'start', y: [] },
      }),
    ).toEqual([
      'The report needs a name.',
      '"started" is not a column of KPI summary.',
      'The chart\'s x axis "start" is not a column of the source.',
      'The chart needs at least one series (y column).',
      'Version "two" is not a whole number.',
      'The date range ends before it starts.',
    ]);
    expect(parameterProblems({ version: '3' })).toEqual([]);
  });

  it('keeps what still fits when the source changes', () => {
    const daily = { source: 'daily' as const, parameters: {}, columns: ['start', 'completed'], chart: { kind: 'line' as const, x: 'start', y: ['completed'] } };
    expect(withSource(daily, 'hourly')).toEqual({ ...daily, source: 'hourly' });
    expect(withSource(daily, 'elements')).toEqual({
      source: 'elements',
      parameters: {},
      columns: ['completed'],
      chart: { kind: 'bar', x: 'element_id', y: ['activated'] },
    });
    expect(withSource({ ...daily, chart: null }, 'kpis').chart).toBeNull();
  });

  it('switches to and from a SQL source without carrying parameters or the chart over', () => {
    const daily = { source: 'daily' as const, parameters: { process_id: 'claims' }, columns: ['start'], chart: { kind: 'line' as const, x: 'start', y: ['started'] } };
    const sql = withSource(daily, 'sql');
    expect(sql).toEqual({ source: 'sql', parameters: {}, columns: [], chart: null });
    const back = withSource({ ...sql, sql: 'SELECT 1', parameters: { region: 'EU' }, chart: { kind: 'bar', x: 'day', y: ['n'] } }, 'kpis');
    expect(back).toEqual({ source: 'kpis', parameters: {}, columns: [], chart: { kind: 'bar', x: 'figure', y: ['value'] } });
  });

  it('finds the $name parameters of a query once each, in order', () => {
    expect(sqlParameterNames('SELECT * FROM insights_hourly WHERE process_id = $process AND hour >= $from OR $process IS NULL')).toEqual([
      'process',
      'from',
    ]);
    expect(sqlParameterNames('SELECT 1')).toEqual([]);
  });

  it('checks a SQL report has a query, a usable chart and a five-field schedule', () => {
    expect(
      reportProblems('Q', { source: 'sql', sql: ' ', parameters: {}, columns: [], chart: { kind: 'bar', x: '', y: [] }, schedule: '0 7 * *' }),
    ).toEqual([
      'The schedule "0 7 * *" has 4 field(s); cron needs 5 (minute hour day month weekday).',
      'Write the SELECT the report runs.',
      'The chart needs an x column and at least one series (y column).',
    ]);
    expect(
      reportProblems('Q', { source: 'sql', sql: 'SELECT day, n FROM insights_x', parameters: {}, columns: [], chart: null, schedule: '0 7 * * 1' }),
    ).toEqual([]);
    expect(scheduleProblem('')).toBeNull();
  });

  it('offers chart downloads only for runs with a chart and rows', () => {
    const run = {
      id: 'run1',
      report: { id: 'r1', name: 'R', description: '', roles: [], created_by: 'a', created_at: 0, updated_at: 0, definition: { source: 'kpis' as const, parameters: {}, columns: [], chart: { kind: 'bar' as const, x: 'figure', y: ['value'] } } },
      parameters: {},
      as_of: 0,
      ran_by: 'a',
      ran_at: 0,
      result: { columns: ['figure', 'value'], rows: [['started', 3]] },
    };
    expect(runHasChart(run)).toBe(true);
    expect(runHasChart({ ...run, result: { ...run.result, rows: [] } })).toBe(false);
    expect(runHasChart({ ...run, report: { ...run.report, definition: { ...run.report.definition, chart: null } } })).toBe(false);
  });

  it('shows cells as people read them', () => {
    expect(cellText('start', JAN_10, 'daily')).toBe('2026-01-10');
    expect(cellText('start', JAN_10 + 13 * 3_600_000, 'hourly')).toBe('2026-01-10 13:00');
    expect(cellText('duration_p90_ms', 4_200)).toBe('4.2 s');
    expect(cellText('completed', 12345)).toBe('12,345');
    expect(cellText('element_id', 'review')).toBe('review');
    expect(cellText('duration_mean_ms', null)).toBe('—');
  });
});
