import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { session } from './session.svelte';

function respond(routes: Record<string, () => Response>) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const path = String(input).split('?')[0];
      const route = routes[path];
      return route ? route() : new Response(null, { status: 404 });
    }),
  );
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const unauthenticated = () =>
  json({ type: 'https://flowdesk.dev/problems/unauthenticated', title: 'Unauthenticated', status: 401 }, 401);
const me = {
  id: 'u1',
  username: 'ada',
  role: 'designer',
  created_at: '2025-01-01T00:00:00Z',
  permissions: ['definition:read', 'definition:deploy'],
};

beforeEach(() => {
  window.location.hash = '#/instances';
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('session', () => {
  it('asks for setup while no user exists', async () => {
    respond({ '/api/auth/setup': () => json({ needs_setup: true }) });
    await session.init();
    expect(session.status).toBe('needs-setup');
    expect(session.user).toBeNull();
  });

  it('is signed out (and routed to login) when /me answers 401', async () => {
    respond({ '/api/auth/setup': () => json({ needs_setup: false }), '/api/auth/me': unauthenticated });
    await session.init();
    expect(session.status).toBe('signed-out');
    expect(window.location.hash).toBe('#/login');
  });

  it('loads the user and permissions after login', async () => {
    respond({
      '/api/auth/setup': () => json({ needs_setup: false }),
      '/api/auth/login': () => json(me),
      '/api/auth/me': () => json(me),
    });
    await session.login({ username: 'ada', password: 'secret' });
    expect(session.status).toBe('signed-in');
    expect(session.user?.username).toBe('ada');
    expect(session.can('definition:deploy')).toBe(true);
    expect(session.can('user:manage')).toBe(false);
  });

  it('reports an unreachable server as offline', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await session.init();
    expect(session.status).toBe('offline');
    expect(session.error).toMatch(/Cannot reach/);
  });
});
