/**
 * Desktop-only commands of the Tauri shell (connection profiles). Never
 * called in the browser; check `isDesktop()` first.
 */
import { invoke } from '@tauri-apps/api/core';
import { isDesktop } from './api';

export interface ConnectionProfile {
  name: string;
  url: string;
  username: string;
}

export const connections = {
  list: () => invoke<ConnectionProfile[]>('connections_list'),
  /** Name of the active cluster, or null for "This computer". */
  active: () => invoke<string | null>('connection_active'),
  switchTo: (name: string | null) => invoke<void>('connection_switch', { name }),
  save: (profile: ConnectionProfile, password: string) => invoke<void>('connection_save', { profile, password }),
  remove: (name: string) => invoke<void>('connection_delete', { name }),
};

/** Reports the first painted screen to the desktop shell; a no-op in the browser. */
export async function announceFirstPaint(): Promise<void> {
  if (!isDesktop()) return;
  try {
    await invoke<number>('app_ready');
  } catch {
    // Only start-up timing depends on it; the app works without.
  }
}
