/**
 * Offline snapshots of reports and dashboards (desktop only). The Tauri
 * shell fetches the data from the connected cluster and keeps it in the
 * local database, so a snapshot opens with no network. Never called in the
 * browser; check `isDesktop()` first.
 */
import { invoke } from '@tauri-apps/api/core';

export type SnapshotKind = 'dashboard' | 'report';

/** A saved snapshot as listed on the Snapshots page. */
export interface SnapshotSummary {
  id: string;
  kind: SnapshotKind;
  /** Id of the report or dashboard on its cluster. */
  source_id: string;
  title: string;
  cluster_name: string;
  cluster_url: string;
  /** When the cluster's read model produced the numbers (ms since the epoch). */
  as_of: number;
  /** When this desktop saved or last refreshed it (ms since the epoch). */
  saved_at: number;
}

/** One chart tile of a dashboard snapshot. */
export interface SnapshotTile {
  id: string;
  title: string;
  data: unknown;
  /** The tile's chart as SVG markup, when the cluster drew one. */
  svg: string | null;
  /** Why the cluster gave no data for it (e.g. a heatmap without a process). */
  problem?: string;
}

/** A whole snapshot (the `.flowdesk-report` document): summary, definition, data. */
export interface Snapshot extends SnapshotSummary {
  format: 'flowdesk-report';
  version: number;
  /** The report or dashboard as the cluster answered it. */
  definition: unknown;
  /** Report: the run (parameters, result rows). Dashboard: null. */
  data: unknown;
  /** Report: the chart SVG of the run, when there is one. */
  svg: string | null;
  tiles: SnapshotTile[];
}

export const snapshots = {
  /** Saves a snapshot of a report or dashboard of the connected cluster. */
  save: (kind: SnapshotKind, sourceId: string) => invoke<Snapshot>('snapshot_save', { kind, sourceId }),
  list: () => invoke<SnapshotSummary[]>('snapshots_list'),
  open: (id: string) => invoke<Snapshot>('snapshot_open', { id }),
  /** Fetches the data again from the snapshot's cluster (fails when it is unreachable). */
  refresh: (id: string) => invoke<Snapshot>('snapshot_refresh', { id }),
  remove: (id: string) => invoke<void>('snapshot_delete', { id }),
  /** Writes the snapshot as one `.flowdesk-report` file into `folder` (default: Downloads); returns its path. */
  exportFile: (id: string, folder?: string) => invoke<string>('snapshot_export', { id, folder: folder ?? null }),
  /** Checks the text of a `.flowdesk-report` file and keeps it on this computer. */
  importText: (contents: string) => invoke<Snapshot>('snapshot_import', { contents }),
};

/** The label every snapshot view carries: where and when the numbers come from. */
export function snapshotLabel(snapshot: Pick<SnapshotSummary, 'cluster_name' | 'as_of'>): string {
  return `Snapshot of ${snapshot.cluster_name} as of ${formatAsOf(snapshot.as_of)}`;
}

/** `2026-11-28 17:05 UTC`: unambiguous on a laptop in any time zone. */
export function formatAsOf(millis: number): string {
  const date = new Date(millis);
  if (!Number.isFinite(millis) || Number.isNaN(date.getTime())) return 'an unknown time';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How old the numbers are, in words: `3 minutes old`, `2 days old`. */
export function ageOf(asOf: number, now: number = Date.now()): string {
  const minutes = Math.floor((now - asOf) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} old`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'} old`;
  const days = Math.floor(hours / 24);
  return `${days} days old`;
}

/** The chart SVG as an image source: shown in an `<img>`, never inlined, so
 *  markup from an imported file cannot run script in the app. */
export function svgImageSource(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** The result table of a report snapshot's run, when it has one. */
export function runTable(data: unknown): { columns: string[]; rows: unknown[][] } | null {
  if (!data || typeof data !== 'object') return null;
  const result = (data as { result?: unknown }).result;
  if (!result || typeof result !== 'object') return null;
  const { columns, rows } = result as { columns?: unknown; rows?: unknown };
  if (!Array.isArray(columns) || !Array.isArray(rows)) return null;
  return { columns: columns.map(String), rows: rows.filter(Array.isArray) as unknown[][] };
}

/** The parameters a report snapshot's run used, as `name = value` pairs. */
export function runParameters(data: unknown): [string, string][] {
  if (!data || typeof data !== 'object') return [];
  const parameters = (data as { parameters?: unknown }).parameters;
  if (!parameters || typeof parameters !== 'object') return [];
  return Object.entries(parameters as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
}

/** A dashboard tile's data as a table, for tiles kept without a chart:
 *  tables as they are, bar/pie items, series points and heatmap elements. */
export function tileTable(data: unknown): { columns: string[]; rows: unknown[][] } | null {
  if (!data || typeof data !== 'object') return null;
  const shaped = data as { columns?: unknown; rows?: unknown; items?: unknown; points?: unknown; elements?: unknown };
  if (Array.isArray(shaped.columns) && Array.isArray(shaped.rows)) return runTable({ result: shaped });
  const records = (list: unknown[], keys: string[]) =>
    list
      .filter((entry): entry is Record<string, unknown> => !!entry && typeof entry === 'object')
      .map((entry) => keys.map((key) => entry[key] ?? null));
  if (Array.isArray(shaped.items)) return { columns: ['label', 'value'], rows: records(shaped.items, ['label', 'value']) };
  if (Array.isArray(shaped.points)) {
    return { columns: ['start', 'value'], rows: records(shaped.points, ['t', 'value']) };
  }
  if (Array.isArray(shaped.elements)) {
    const columns = ['element_id', 'count', 'mean_ms', 'p90_ms'];
    return { columns, rows: records(shaped.elements, columns) };
  }
  return null;
}
