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
  /** When the cluster produced the data (RFC 3339, UTC). */
  as_of: string;
  /** When this desktop saved it (RFC 3339, UTC). */
  saved_at: string;
}

/** One chart tile of a dashboard snapshot. */
export interface SnapshotTile {
  id: string;
  title: string;
  data: unknown;
  /** The tile's chart as SVG markup, when the cluster drew one. */
  svg: string | null;
}

/** A whole snapshot: its summary, the definition and the data. */
export interface Snapshot extends SnapshotSummary {
  definition: unknown;
  /** Report: the run (parameters, result rows). Dashboard: null. */
  data: unknown;
  /** Report: the chart SVG of the run, when there is one. */
  svg: string | null;
  tiles: SnapshotTile[];
}

export const snapshots = {
  /** Saves a snapshot of a report or dashboard of the connected cluster. */
  save: (kind: SnapshotKind, sourceId: string, title: string) =>
    invoke<SnapshotSummary>('snapshot_save', { kind, sourceId, title }),
  list: () => invoke<SnapshotSummary[]>('snapshots_list'),
  open: (id: string) => invoke<Snapshot>('snapshot_open', { id }),
  /** Fetches the data again from the snapshot's cluster (fails when it is unreachable). */
  refresh: (id: string) => invoke<Snapshot>('snapshot_refresh', { id }),
  remove: (id: string) => invoke<void>('snapshot_delete', { id }),
  /** Writes the snapshot as one `.flowdesk-report` file; returns the path written. */
  exportTo: (id: string, path: string) => invoke<string>('snapshot_export', { id, path }),
  /** Reads a `.flowdesk-report` file into the local database. */
  importFrom: (path: string) => invoke<SnapshotSummary>('snapshot_import', { path }),
};

/** The label every snapshot view carries: where and when the numbers come from. */
export function snapshotLabel(snapshot: Pick<SnapshotSummary, 'cluster_name' | 'as_of'>): string {
  return `Snapshot of ${snapshot.cluster_name} as of ${formatAsOf(snapshot.as_of)}`;
}

/** `2026-11-28 17:05 UTC`: unambiguous on a laptop in any time zone. */
export function formatAsOf(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
