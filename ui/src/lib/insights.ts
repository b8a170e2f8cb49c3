/**
 * The logic of the Dashboards and Reports screens, kept out of the
 * components so it can be tested: tile editing, filters and the queries
 * they make, refresh timing, the heatmap's colour scale, report drafts and
 * their exports. The server calls are in api.ts.
 */
import type {
  DashboardDefinition,
  DashboardFilters,
  DashboardTile,
  ExportFormat,
  HeatmapData,
  HeatmapElement,
  Millis,
  ReportDefinition,
  ReportRun,
  ReportSource,
  TileKind,
  TileMetric,
  TileQuery,
} from './api';

// ---------------------------------------------------------------- tiles

export const TILE_KINDS: readonly { kind: TileKind; label: string }[] = [
  { kind: 'kpi', label: 'KPI' },
  { kind: 'series', label: 'Time series' },
  { kind: 'bar', label: 'Bar chart' },
  { kind: 'pie', label: 'Pie chart' },
  { kind: 'heatmap', label: 'Diagram heatmap' },
  { kind: 'table', label: 'Table' },
];

export const TILE_METRICS: readonly { metric: TileMetric; label: string }[] = [
  { metric: 'started', label: 'Instances started' },
  { metric: 'completed', label: 'Instances completed' },
  { metric: 'cancelled', label: 'Instances cancelled' },
  { metric: 'incidents', label: 'Incidents' },
  { metric: 'active', label: 'Active instances' },
  { metric: 'duration_p50', label: 'Duration (median)' },
  { metric: 'duration_p90', label: 'Duration (p90)' },
  { metric: 'duration_p99', label: 'Duration (p99)' },
  { metric: 'throughput', label: 'Throughput' },
  { metric: 'backlog', label: 'Backlog' },
  { metric: 'user_task_wait', label: 'User task waiting time' },
];

const DURATION_METRICS: readonly TileMetric[] = ['duration_p50', 'duration_p90', 'duration_p99', 'user_task_wait'];

export function kindLabel(kind: TileKind): string {
  return TILE_KINDS.find((k) => k.kind === kind)?.label ?? kind;
}

export function metricLabel(metric: TileMetric): string {
  return TILE_METRICS.find((m) => m.metric === metric)?.label ?? metric;
}

export function isDurationMetric(metric: TileMetric): boolean {
  return DURATION_METRICS.includes(metric);
}

/** Kinds the server draws as a chart (an SVG image); the others render from JSON. */
export function isChartKind(kind: TileKind): boolean {
  return kind === 'series' || kind === 'bar' || kind === 'pie';
}

export function emptyDefinition(): DashboardDefinition {
  return { filters: {}, tiles: [] };
}

/** `tile-N` with the smallest N not taken. */
export function nextTileId(tiles: readonly DashboardTile[]): string {
  const taken = new Set(tiles.map((t) => t.id));
  let n = tiles.length + 1;
  for (let i = 1; i <= tiles.length + 1; i++) {
    if (!taken.has(`tile-${i}`)) {
      n = i;
      break;
    }
  }
  return `tile-${n}`;
}

/** A new tile appended, titled after its metric unless given a title. */
export function addTile(
  tiles: readonly DashboardTile[],
  tile: Pick<DashboardTile, 'kind' | 'metric'> & Partial<DashboardTile>,
): DashboardTile[] {
  const width = tile.width ?? (tile.kind === 'heatmap' ? 3 : tile.kind === 'kpi' ? 1 : 2);
  const created: DashboardTile = {
    id: nextTileId(tiles),
    title: tile.title?.trim() || metricLabel(tile.metric),
    kind: tile.kind,
    metric: tile.metric,
    width,
  };
  if (tile.process_id) created.process_id = tile.process_id;
  return [...tiles, created];
}

export function removeTile(tiles: readonly DashboardTile[], id: string): DashboardTile[] {
  return tiles.filter((t) => t.id !== id);
}

/** The tile moved by `delta` places (clamped to the ends). */
export function moveTile(tiles: readonly DashboardTile[], id: string, delta: number): DashboardTile[] {
  const from = tiles.findIndex((t) => t.id === id);
  if (from === -1) return [...tiles];
  const to = Math.min(tiles.length - 1, Math.max(0, from + delta));
  const next = [...tiles];
  const [moved] = next.splice(from, 1);
  next.splice(to, 0, moved);
  return next;
}

export function updateTile(tiles: readonly DashboardTile[], id: string, change: Partial<DashboardTile>): DashboardTile[] {
  return tiles.map((t) => {
    if (t.id !== id) return t;
    const updated: DashboardTile = { ...t, ...change, id: t.id };
    if (!updated.process_id) delete updated.process_id;
    return updated;
  });
}

/** What stops a dashboard from being saved, one sentence each (empty: fine). */
export function dashboardProblems(name: string, definition: DashboardDefinition): string[] {
  const problems: string[] = [];
  if (!name.trim()) problems.push('The dashboard needs a name.');
  if (definition.tiles.length === 0) problems.push('Add at least one tile.');
  definition.tiles.forEach((tile, i) => {
    const where = `Tile ${i + 1}`;
    if (!tile.title.trim()) problems.push(`${where} needs a title.`);
    if (tile.kind === 'heatmap' && !tile.process_id && !definition.filters.process_id) {
      problems.push(`${where} ("${tile.title}") is a heatmap: choose its process or a dashboard process filter.`);
    }
  });
  const refresh = definition.refresh_seconds;
  if (refresh !== undefined && (!Number.isInteger(refresh) || refresh < 5)) {
    problems.push('Auto-refresh must be a whole number of seconds, at least 5.');
  }
  const { from, to } = definition.filters;
  if (from !== undefined && to !== undefined && from >= to) problems.push('The date range ends before it starts.');
  return problems;
}

// ---------------------------------------------------------------- filters

export type RangePreset = 'all' | '24h' | '7d' | '30d' | '90d' | 'custom';

export const RANGE_PRESETS: readonly { preset: RangePreset; label: string }[] = [
  { preset: 'all', label: 'All time' },
  { preset: '24h', label: 'Last 24 hours' },
  { preset: '7d', label: 'Last 7 days' },
  { preset: '30d', label: 'Last 30 days' },
  { preset: '90d', label: 'Last 90 days' },
  { preset: 'custom', label: 'Custom range' },
];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PRESET_MS: Record<Exclude<RangePreset, 'all' | 'custom'>, number> = {
  '24h': DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
  '90d': 90 * DAY,
};

/** What the filter bar holds. Dates are `yyyy-mm-dd` in UTC, like the read model's days. */
export interface FilterState {
  process_id: string;
  /** '' for every version. */
  version: string;
  range: RangePreset;
  /** First day (inclusive) of a custom range. */
  from: string;
  /** Last day (inclusive) of a custom range. */
  to: string;
  /** Name of a process variable to filter on ('' for none; absent: keep the saved one). */
  variable?: string;
  /** Its value as typed: a number, true or false, else text ("42" quoted for the text 42). */
  value?: string;
}

/** A variable value as typed in the filter bar, or null when it is not one. */
export function variableValue(text: string): string | number | boolean | null {
  const typed = text.trim();
  if (typed === '') return null;
  if (typed === 'true' || typed === 'false') return typed === 'true';
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(typed)) return Number(typed);
  if (!typed.startsWith('"')) return typed;
  try {
    const parsed: unknown = JSON.parse(typed);
    return typeof parsed === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

/** A saved variable value as the filter bar shows it (read back by `variableValue`). */
export function variableText(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  return variableValue(value) === value ? value : JSON.stringify(value);
}

/** The variable filter of the filter bar, or null (none, or not complete). */
export function variableFilter(state: FilterState): { name: string; value: string | number | boolean } | null {
  const name = state.variable?.trim() ?? '';
  const value = variableValue(state.value ?? '');
  return name && value !== null ? { name, value } : null;
}

/** `yyyy-mm-dd` as the start of that UTC day; null when not a date. */
export function dateInputToMs(value: string): Millis | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isNaN(ms) ? null : ms;
}

/** The UTC day of `ms` as `yyyy-mm-dd`. */
export function msToDateInput(ms: Millis): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The filter bar for a dashboard's saved filters. */
export function filtersFromDefinition(filters: DashboardFilters): FilterState {
  const custom = filters.from !== undefined || filters.to !== undefined;
  return {
    process_id: filters.process_id ?? '',
    version: filters.version !== undefined ? String(filters.version) : '',
    range: custom ? 'custom' : 'all',
    from: filters.from !== undefined ? msToDateInput(filters.from) : '',
    // `to` is exclusive: the last day shown is the one before it.
    to: filters.to !== undefined ? msToDateInput(filters.to - DAY) : '',
    variable: filters.variable?.name ?? '',
    value: filters.variable ? variableText(filters.variable.value) : '',
  };
}

/** The time window of the filter bar at `now`: `from` inclusive, `to` exclusive. */
export function rangeOf(state: FilterState, now: Millis): { from?: Millis; to?: Millis } {
  if (state.range === 'all') return {};
  if (state.range === 'custom') {
    const from = dateInputToMs(state.from);
    const last = dateInputToMs(state.to);
    return {
      ...(from !== null ? { from } : {}),
      ...(last !== null ? { to: last + DAY } : {}),
    };
  }
  return { from: now - PRESET_MS[state.range], to: now };
}

/** The filters a dashboard is saved with, from the filter bar (relative ranges are not saved). */
export function filtersToDefinition(state: FilterState, previous: DashboardFilters = {}): DashboardFilters {
  const filters: DashboardFilters = {};
  if (state.process_id) filters.process_id = state.process_id;
  const version = Number(state.version);
  if (state.process_id && state.version && Number.isInteger(version)) filters.version = version;
  if (state.range === 'custom') Object.assign(filters, rangeOf(state, 0));
  const variable = state.variable === undefined ? (previous.variable ?? null) : variableFilter(state);
  if (variable) filters.variable = variable;
  return filters;
}

/** Why the filter bar cannot be applied, or null. */
export function filterProblem(state: FilterState): string | null {
  const name = state.variable?.trim() ?? '';
  const value = state.value?.trim() ?? '';
  if (name && !value) return `Give the value of the variable "${name}".`;
  if (!name && value) return 'Give the name of the variable the value is for.';
  if (value && variableValue(value) === null) return `${value} is not a value: a number, true, false or text.`;
  if (state.range !== 'custom') return null;
  if (state.from && dateInputToMs(state.from) === null) return `"${state.from}" is not a date (yyyy-mm-dd).`;
  if (state.to && dateInputToMs(state.to) === null) return `"${state.to}" is not a date (yyyy-mm-dd).`;
  const { from, to } = rangeOf(state, 0);
  if (from !== undefined && to !== undefined && from >= to) return 'The range ends before it starts.';
  return null;
}

/**
 * The query of one tile: the filter bar's process, version, range and
 * variable (its value as JSON); a tile
 * bound to its own process keeps it (and takes the version only when it is
 * that process's).
 */
export function tileQuery(state: FilterState, tile: DashboardTile, now: Millis): TileQuery {
  const query: TileQuery = { ...rangeOf(state, now) };
  const process = tile.process_id || state.process_id;
  if (process) query.process_id = process;
  const version = Number(state.version);
  if (state.version && Number.isInteger(version) && process === state.process_id) query.version = version;
  const variable = variableFilter(state);
  if (variable) {
    query.variable = variable.name;
    query.value = JSON.stringify(variable.value);
  }
  return query;
}

// ---------------------------------------------------------------- refresh and as-of

/** The auto-refresh period in ms, or null when the dashboard refreshes on demand. */
export function refreshMs(definition: DashboardDefinition): number | null {
  const seconds = definition.refresh_seconds;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return null;
  return Math.max(5, seconds) * 1000;
}

/** "12:03:04 (2 minutes ago)" style as-of text for a header. */
export function asOfText(asOf: Millis, now: Millis): string {
  const time = new Date(asOf).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
  const seconds = Math.round((now - asOf) / 1000);
  let ago: string;
  if (seconds < 10) ago = 'just now';
  else if (seconds < 90) ago = `${seconds} s ago`;
  else if (seconds < 90 * 60) ago = `${Math.round(seconds / 60)} min ago`;
  else if (seconds < 36 * 3600) ago = `${Math.round(seconds / 3600)} h ago`;
  else ago = `${Math.round(seconds / 86400)} days ago`;
  return `${time} (${ago})`;
}

// ---------------------------------------------------------------- charts

/**
 * A chart's SVG text as a `data:` URL for an `<img>`: the image shows it
 * without running anything in it, and the server's content security policy
 * allows `data:` images (not `blob:`).
 */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

// ---------------------------------------------------------------- values

/** "850 ms", "4.2 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)} ms`;
  const s = value / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const total = Math.round(s);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (d > 0) return `${d} d${h ? ` ${h} h` : ''}`;
  if (h > 0) return `${h} h${m ? ` ${m} min` : ''}`;
  return `${m} min${sec ? ` ${sec} s` : ''}`;
}

export function formatMetric(metric: TileMetric, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (isDurationMetric(metric)) return formatMs(value);
  return value.toLocaleString('en', { maximumFractionDigits: 1 });
}

/** The change of a KPI against its previous period; null without one. */
export function kpiChange(
  value: number | null,
  previous: number | null | undefined,
): { direction: 'up' | 'down' | 'flat'; percent: number | null } | null {
  if (value === null || previous === null || previous === undefined) return null;
  const direction = value > previous ? 'up' : value < previous ? 'down' : 'flat';
  const percent = previous === 0 ? null : Math.round(((value - previous) / Math.abs(previous)) * 1000) / 10;
  return { direction, percent };
}

// ---------------------------------------------------------------- heatmap

export type HeatMode = 'count' | 'duration';

/**
 * The heatmap's colours, low to high (ColorBrewer RdYlBu, reversed): readable
 * as translucent fills on the light and the dark diagram alike.
 */
export const HEAT_COLOURS = ['#2c7bb6', '#abd9e9', '#ffffbf', '#fdae61', '#d7191c'] as const;

function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The colour at `t` in [0, 1] along HEAT_COLOURS (clamped), as `#rrggbb`. */
export function heatColour(t: number): string {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const span = HEAT_COLOURS.length - 1;
  const i = Math.min(span - 1, Math.floor(x * span));
  const local = x * span - i;
  const a = hexToRgb(HEAT_COLOURS[i]);
  const b = hexToRgb(HEAT_COLOURS[i + 1]);
  const mixed = a.map((c, k) => Math.round(c + (b[k] - c) * local));
  return '#' + mixed.map((c) => c.toString(16).padStart(2, '0')).join('');
}

export interface HeatScale {
  min: number;
  max: number;
  /** Where `value` lies between min and max, in [0, 1] (1 when all are equal). */
  position(value: number): number;
}

/** A linear scale over the values (none: null). */
export function heatScale(values: readonly number[]): HeatScale | null {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return null;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return {
    min,
    max,
    position: (value) => (max === min ? 1 : Math.min(1, Math.max(0, (value - min) / (max - min)))),
  };
}

/** The value an element is coloured by, in a mode: null when it has none. */
export function heatValue(element: HeatmapElement, mode: HeatMode): number | null {
  if (mode === 'count') return element.count > 0 ? element.count : null;
  return element.mean_ms ?? null;
}

export function heatText(value: number, mode: HeatMode): string {
  return mode === 'count' ? value.toLocaleString('en') : formatMs(value);
}

/** What the diagram draws on one element. */
export interface HeatOverlay {
  colour: string;
  /** The badge text: the count or the mean duration. */
  label: string;
  /** The tooltip: every figure. */
  title: string;
}

/** The overlay of every element with a value in `mode`, and the scale used. */
export function heatOverlays(
  data: HeatmapData,
  mode: HeatMode,
): { overlays: Map<string, HeatOverlay>; scale: HeatScale | null } {
  const valued = data.elements
    .map((element) => ({ element, value: heatValue(element, mode) }))
    .filter((e): e is { element: HeatmapElement; value: number } => e.value !== null);
  const scale = heatScale(valued.map((e) => e.value));
  const overlays = new Map<string, HeatOverlay>();
  if (!scale) return { overlays, scale };
  for (const { element, value } of valued) {
    overlays.set(element.element_id, {
      colour: heatColour(scale.position(value)),
      label: heatText(value, mode),
      title:
        `${element.element_id}: ${element.count.toLocaleString('en')} time(s), ` +
        `mean ${formatMs(element.mean_ms)}, p90 ${formatMs(element.p90_ms)}`,
    });
  }
  return { overlays, scale };
}

/** `count` evenly spaced legend entries from low to high. */
export function legendStops(scale: HeatScale, mode: HeatMode, count = 5): { colour: string; label: string }[] {
  if (scale.min === scale.max) return [{ colour: heatColour(1), label: heatText(scale.max, mode) }];
  // Counts are whole: a narrow range gets one stop per value, none repeated.
  if (mode === 'count' && scale.max - scale.min < count - 1) {
    return Array.from({ length: scale.max - scale.min + 1 }, (_, i) => ({
      colour: heatColour(scale.position(scale.min + i)),
      label: heatText(scale.min + i, mode),
    }));
  }
  return Array.from({ length: count }, (_, i) => {
    const t = i / (count - 1);
    const value = scale.min + (scale.max - scale.min) * t;
    return { colour: heatColour(t), label: heatText(mode === 'count' ? Math.round(value) : value, mode) };
  });
}

// ---------------------------------------------------------------- reports

const STATS = ['mean_ms', 'p50_ms', 'p90_ms', 'p99_ms'];
const stats = (prefix: string) => STATS.map((s) => `${prefix}_${s}`);
const SERIES_COLUMNS = [
  'start',
  'started',
  'completed',
  'cancelled',
  'active',
  'incidents_opened',
  'incidents_resolved',
  ...stats('duration'),
];

/** The sources a report can run, with the columns of their tables (docs/REPORTS.md). */
export const REPORT_SOURCES: readonly { source: ReportSource; label: string; columns: readonly string[] }[] = [
  { source: 'kpis', label: 'KPI summary', columns: ['figure', 'value'] },
  { source: 'daily', label: 'Daily time series', columns: SERIES_COLUMNS },
  { source: 'hourly', label: 'Hourly time series', columns: SERIES_COLUMNS },
  {
    source: 'elements',
    label: 'Per-element statistics',
    columns: [
      'element_id',
      'element_type',
      'activated',
      'completed',
      'terminated',
      'incidents_opened',
      'incidents_resolved',
      ...stats('duration'),
      ...stats('wait'),
    ],
  },
  { source: 'sql', label: 'SQL query (read-only)', columns: [] },
];

export function sourceColumns(source: ReportSource): readonly string[] {
  return REPORT_SOURCES.find((s) => s.source === source)?.columns ?? [];
}

export function sourceLabel(source: ReportSource): string {
  return REPORT_SOURCES.find((s) => s.source === source)?.label ?? source;
}

/** A sensible chart for a source: what a new report starts with. */
export function defaultChart(source: ReportSource): ReportDefinition['chart'] {
  switch (source) {
    case 'kpis':
      return { kind: 'bar', x: 'figure', y: ['value'] };
    case 'elements':
      return { kind: 'bar', x: 'element_id', y: ['activated'] };
    case 'sql':
      return null;
    default:
      return { kind: 'line', x: 'start', y: ['started', 'completed'] };
  }
}

export function emptyReportDefinition(source: ReportSource = 'daily'): ReportDefinition {
  return { source, parameters: {}, columns: [], chart: defaultChart(source) };
}

/** The definition switched to another source: columns and chart that no longer exist are dropped. */
export function withSource(definition: ReportDefinition, source: ReportSource): ReportDefinition {
  const available = sourceColumns(source);
  const chart = definition.chart;
  const chartFits = chart && available.includes(chart.x) && chart.y.every((y) => available.includes(y));
  const switched: ReportDefinition = {
    ...definition,
    source,
    // A query's parameters are its own `$name`s; the read-model sources share theirs.
    parameters: source === 'sql' || definition.source === 'sql' ? {} : definition.parameters,
    columns: source === 'sql' ? [] : definition.columns.filter((c) => available.includes(c)),
    chart: chart === null ? null : chartFits ? chart : defaultChart(source),
  };
  if (source !== 'sql') delete switched.sql;
  return switched;
}

/** The `$name` parameters of a SQL report's query, in order of appearance. */
export function sqlParameterNames(sql: string): string[] {
  const names = [...sql.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  return [...new Set(names)];
}

/** A cron expression's obvious mistakes (the server checks it fully), or null. */
export function scheduleProblem(schedule: string): string | null {
  const fields = schedule.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 0) return null;
  if (fields.length !== 5) {
    return `The schedule "${schedule.trim()}" has ${fields.length} field(s); cron needs 5 (minute hour day month weekday).`;
  }
  return null;
}

/** What stops a report from being saved, one sentence each. */
export function reportProblems(name: string, definition: ReportDefinition): string[] {
  const problems: string[] = [];
  if (!name.trim()) problems.push('The report needs a name.');
  const schedule = scheduleProblem(definition.schedule ?? '');
  if (schedule) problems.push(schedule);
  if (definition.source === 'sql') {
    if (!definition.sql?.trim()) problems.push('Write the SELECT the report runs.');
    if (definition.chart && (!definition.chart.x.trim() || definition.chart.y.length === 0)) {
      problems.push('The chart needs an x column and at least one series (y column).');
    }
    return problems;
  }
  const available = sourceColumns(definition.source);
  for (const column of definition.columns) {
    if (!available.includes(column)) problems.push(`"${column}" is not a column of ${sourceLabel(definition.source)}.`);
  }
  const chart = definition.chart;
  if (chart) {
    if (!available.includes(chart.x)) problems.push(`The chart's x axis "${chart.x}" is not a column of the source.`);
    if (chart.y.length === 0) problems.push('The chart needs at least one series (y column).');
    for (const y of chart.y) {
      if (!available.includes(y)) problems.push(`The chart series "${y}" is not a column of the source.`);
    }
  }
  problems.push(...parameterProblems(definition.parameters));
  return problems;
}

/** What the parameter fields hold (dates as `yyyy-mm-dd`, UTC). */
export interface ParameterFields {
  process_id: string;
  version: string;
  from: string;
  to: string;
}

/** Report parameters (strings, `from`/`to` in ms) from the fields; empty ones are left out. */
export function parametersOf(fields: ParameterFields): Record<string, string> {
  const parameters: Record<string, string> = {};
  if (fields.process_id.trim()) parameters.process_id = fields.process_id.trim();
  if (fields.version.trim()) parameters.version = fields.version.trim();
  const from = dateInputToMs(fields.from);
  if (from !== null) parameters.from = String(from);
  const last = dateInputToMs(fields.to);
  if (last !== null) parameters.to = String(last + DAY);
  return parameters;
}

/** The fields for report parameters (the inverse of parametersOf). */
export function fieldsOf(parameters: Record<string, string>): ParameterFields {
  const ms = (key: string) => {
    const n = Number(parameters[key]);
    return parameters[key] !== undefined && Number.isFinite(n) ? n : null;
  };
  const from = ms('from');
  const to = ms('to');
  return {
    process_id: parameters.process_id ?? '',
    version: parameters.version ?? '',
    from: from !== null ? msToDateInput(from) : '',
    to: to !== null ? msToDateInput(to - DAY) : '',
  };
}

export function parameterProblems(parameters: Record<string, string>): string[] {
  const problems: string[] = [];
  const version = parameters.version;
  if (version !== undefined && !/^\d+$/.test(version)) problems.push(`Version "${version}" is not a whole number.`);
  const from = Number(parameters.from);
  const to = Number(parameters.to);
  if (parameters.from !== undefined && parameters.to !== undefined && from >= to) {
    problems.push('The date range ends before it starts.');
  }
  return problems;
}

/** A parameter for display: times as UTC dates. */
export function parameterText(key: string, value: string): string {
  if ((key === 'from' || key === 'to') && /^-?\d+$/.test(value)) {
    return new Date(Number(value)).toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  }
  return value;
}

export const EXPORT_FORMATS: readonly { format: ExportFormat; label: string; chart: boolean }[] = [
  { format: 'pdf', label: 'PDF', chart: false },
  { format: 'png', label: 'PNG', chart: true },
  { format: 'svg', label: 'SVG', chart: true },
  { format: 'csv', label: 'CSV', chart: false },
  { format: 'xlsx', label: 'XLSX', chart: false },
];

/** Whether a run has a chart to draw (its report defines one and it has rows). */
export function runHasChart(run: ReportRun): boolean {
  return run.report.definition.chart !== null && run.result.rows.length > 0;
}

/** A table cell for display: `start` times as UTC dates, durations readable, null as a dash. */
export function cellText(column: string, value: unknown, source?: ReportSource): string {
  if (value === null || value === undefined) return '—';
  if (column === 'start' && typeof value === 'number') {
    const iso = new Date(value).toISOString();
    return source === 'hourly' ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
  }
  if (column.endsWith('_ms') && typeof value === 'number') return formatMs(value);
  if (typeof value === 'number') return value.toLocaleString('en', { maximumFractionDigits: 2 });
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Whether a column holds numbers (right-aligned). */
export function isNumericColumn(rows: readonly unknown[][], index: number): boolean {
  return rows.length > 0 && rows.every((row) => row[index] === null || typeof row[index] === 'number');
}
