/**
 * Hash routing, hand-written: `#/instances?state=active` -> { path, params }.
 * Pure functions here; the reactive wrapper is router.svelte.ts.
 */

export const ROUTES = [
  'setup',
  'login',
  'designer',
  'instances',
  'tasks',
  'dashboards',
  'reports',
  'snapshots',
  'admin',
  'account',
] as const;

export type RouteName = (typeof ROUTES)[number];

/** Screens that need no session. */
export const PUBLIC_ROUTES: readonly RouteName[] = ['setup', 'login'];

export interface Route {
  /** Known screen, or null for an unknown path. */
  name: RouteName | null;
  /** The path as written, always starting with '/'. */
  path: string;
  params: Record<string, string>;
}

/** Parses `location.hash` (with or without the leading '#'). */
export function parseHash(hash: string): Route {
  let raw = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!raw.startsWith('/')) raw = '/' + raw;
  const q = raw.indexOf('?');
  const pathPart = q === -1 ? raw : raw.slice(0, q);
  const queryPart = q === -1 ? '' : raw.slice(q + 1);

  const path = '/' + pathPart.split('/').filter(Boolean).join('/');
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(queryPart)) params[key] = value;

  const first = path.split('/')[1] ?? '';
  const name = (ROUTES as readonly string[]).includes(first) ? (first as RouteName) : null;
  return { name, path, params };
}

/** The hash for a screen with optional query parameters (empty ones dropped). */
export function href(name: RouteName, params: Record<string, string | number | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const qs = search.toString();
  return `#/${name}${qs ? '?' + qs : ''}`;
}

/** The path segments after the screen name, decoded: `#/instances/abc` -> ['abc']. */
export function subPath(route: Route): string[] {
  return route.path
    .split('/')
    .filter(Boolean)
    .slice(1)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

/** The instance id of `#/instances/{id}`, or null on the list (or any other screen). */
export function instanceIdOf(route: Route): string | null {
  if (route.name !== 'instances') return null;
  const [id] = subPath(route);
  return id ? id : null;
}

/** The hash of an instance's detail screen. */
export function instanceHref(id: string): string {
  return `#/instances/${encodeURIComponent(id)}`;
}

export function isPublic(name: RouteName | null): boolean {
  return name !== null && PUBLIC_ROUTES.includes(name);
}
