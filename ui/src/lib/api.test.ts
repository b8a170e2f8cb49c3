import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, apiBase, ApiProblem, can, isDesktop, onUnauthorized, parseProblem, type CurrentUser } from './api';

type TauriWindow = Window & { __TAURI_INTERNALS__?: unknown };

function mockFetch(response: Response | (() => Response)) {
  const fn = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) =>
    typeof response === 'function' ? response() : response.clone(),
  );
  vi.stubGlobal('fetch', fn);
  return fn;
}

function json(body: unknown, status = 200, type = 'application/json') {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } });
}

const invalidModel = {
  type: 'https://flowdesk.dev/problems/invalid-model',
  title: 'Invalid BPMN model',
  status: 400,
  detail: '2 problems in order.bpmn',
  problems: [
    { message: 'unknown target', element_id: 'Flow_2', line: 12, column: 5 },
    { message: 'no start event', element_id: null, line: 3, column: 1 },
  ],
};

beforeEach(() => {
  window.location.hash = '#/designer';
});

afterEach(() => {
  delete (window as TauriWindow).__TAURI_INTERNALS__;
  vi.unstubAllGlobals();
  onUnauthorized(null);
});

describe('base URL', () => {
  it('is the same origin in the browser', () => {
    expect(isDesktop()).toBe(false);
    expect(apiBase()).toBe('');
  });

  it('uses the flowdesk scheme on the desktop (Linux form), without trailing slash', () => {
    const convertFileSrc = vi.fn((path: string, protocol: string) => `${protocol}://localhost/${path}`);
    (window as TauriWindow).__TAURI_INTERNALS__ = { convertFileSrc };
    expect(isDesktop()).toBe(true);
    expect(apiBase()).toBe('flowdesk://localhost');
    expect(convertFileSrc).toHaveBeenCalledWith('', 'flowdesk');
  });

  it('uses the flowdesk scheme on the desktop (Windows form)', () => {
    (window as TauriWindow).__TAURI_INTERNALS__ = {
      convertFileSrc: (path: string, protocol: string) => `http://${protocol}.localhost/${path}`,
    };
    expect(apiBase()).toBe('http://flowdesk.localhost');
  });

  it('prefixes every request with the desktop base and includes credentials', async () => {
    (window as TauriWindow).__TAURI_INTERNALS__ = {
      convertFileSrc: (path: string, protocol: string) => `${protocol}://localhost/${path}`,
    };
    const fetch = mockFetch(json([]));
    await api.listDefinitions();
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('flowdesk://localhost/api/definitions');
    expect(init?.credentials).toBe('include');
  });

  it('uses relative /api paths in the browser', async () => {
    const fetch = mockFetch(json({ items: [], total: 0 }));
    await api.listInstances({ state: 'active', process_id: '', limit: 50, offset: 0 });
    expect(fetch.mock.calls[0][0]).toBe('/api/instances?state=active&limit=50&offset=0');
    expect(fetch.mock.calls[0][1]?.method).toBe('GET');
    expect(fetch.mock.calls[0][1]?.credentials).toBe('include');
  });
});

describe('problem+json', () => {
  it('parses into a typed ApiProblem with its problems', async () => {
    const problem = await parseProblem(json(invalidModel, 400, 'application/problem+json'));
    expect(problem).toBeInstanceOf(ApiProblem);
    expect(problem.status).toBe(400);
    expect(problem.type).toBe('https://flowdesk.dev/problems/invalid-model');
    expect(problem.kind).toBe('invalid-model');
    expect(problem.title).toBe('Invalid BPMN model');
    expect(problem.detail).toBe('2 problems in order.bpmn');
    expect(problem.problems).toHaveLength(2);
    expect(problem.problems[0]).toEqual({ message: 'unknown target', element_id: 'Flow_2', line: 12, column: 5 });
  });

  it('is thrown by failing calls', async () => {
    mockFetch(json(invalidModel, 400, 'application/problem+json'));
    const error = await api.deployDefinition('order.bpmn', '<bad/>').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblem);
    expect((error as ApiProblem).problems.map((p) => p.line)).toEqual([12, 3]);
  });

  it('falls back to the HTTP status for non-JSON errors', async () => {
    mockFetch(new Response('upstream exploded', { status: 502, statusText: 'Bad Gateway' }));
    const error = (await api.listDefinitions().catch((e: unknown) => e)) as ApiProblem;
    expect(error.status).toBe(502);
    expect(error.title).toBe('Bad Gateway');
    expect(error.detail).toBe('upstream exploded');
    expect(error.problems).toEqual([]);
  });

  it('reports network failures as status 0', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const error = (await api.listDefinitions().catch((e: unknown) => e)) as ApiProblem;
    expect(error.status).toBe(0);
    expect(error.title).toMatch(/Cannot reach/);
  });
});

describe('401 handling', () => {
  const unauthenticated = () =>
    json(
      { type: 'https://flowdesk.dev/problems/unauthenticated', title: 'Unauthenticated', status: 401 },
      401,
      'application/problem+json',
    );

  it('sends the user to #/login by default', async () => {
    mockFetch(unauthenticated);
    await expect(api.listDefinitions()).rejects.toBeInstanceOf(ApiProblem);
    expect(window.location.hash).toBe('#/login');
  });

  it('calls the registered handler', async () => {
    const handler = vi.fn();
    onUnauthorized(handler);
    mockFetch(unauthenticated);
    await expect(api.me()).rejects.toMatchObject({ status: 401 });
    expect(handler).toHaveBeenCalledOnce();
  });

  it('does not redirect when a login is refused', async () => {
    const handler = vi.fn();
    onUnauthorized(handler);
    mockFetch(unauthenticated);
    await expect(api.login({ username: 'a', password: 'b' })).rejects.toMatchObject({ status: 401 });
    expect(handler).not.toHaveBeenCalled();
    expect(window.location.hash).toBe('#/designer');
  });
});

describe('requests', () => {
  it('uploads raw BPMN XML with the file name as query parameter', async () => {
    const deployed = [{ id: 'd1', process_id: 'order', version: 1 }];
    const fetch = mockFetch(json(deployed, 201));
    const xml = '<?xml version="1.0"?><bpmn:definitions/>';
    const result = await api.deployDefinition('order process.bpmn', xml);
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/api/definitions?name=order+process.bpmn');
    expect(init?.method).toBe('POST');
    expect(init?.body).toBe(xml);
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/xml');
    expect(result).toEqual(deployed);
  });

  it('deploys DMN as raw XML to the decisions endpoint', async () => {
    const deployed = { id: 'd1', process_id: 'risk', version: 1, decisions: [{ id: 'risk', name: 'Risk' }] };
    const fetch = mockFetch(json(deployed, 201));
    const result = await api.deployDecisions('risk.dmn', '<definitions/>');
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/api/decisions?name=risk.dmn');
    expect(init?.method).toBe('POST');
    expect(init?.body).toBe('<definitions/>');
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/xml');
    expect(result).toEqual(deployed);
  });

  it('deploys a form as JSON under a .form name to the definitions endpoint', async () => {
    const fetch = mockFetch(json([{ id: 'f1', process_id: 'approve', kind: 'form', version: 1 }], 201));
    const schema = { id: 'approve', components: [] };
    const [deployed] = await api.deployForm('approve.form', schema);
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/api/definitions?name=approve.form');
    expect(JSON.parse(init?.body as string)).toEqual(schema);
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(deployed.kind).toBe('form');
  });

  it('lists decision models with their decisions', async () => {
    const fetch = mockFetch(json([]));
    await api.listDecisions();
    expect(fetch.mock.calls[0][0]).toBe('/api/decisions');
  });

  it('sends JSON bodies for commands', async () => {
    const fetch = mockFetch(json({ id: 'i1' }, 201));
    await api.startInstance({ definition_id: 'd1' });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/api/instances');
    expect(init?.method).toBe('POST');
    expect(JSON.parse(init?.body as string)).toEqual({ definition_id: 'd1' });
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it('treats 204 as no content', async () => {
    const fetch = mockFetch(new Response(null, { status: 204 }));
    await expect(api.revokeToken('t/1')).resolves.toBeUndefined();
    expect(fetch.mock.calls[0][0]).toBe('/api/tokens/t%2F1');
    expect(fetch.mock.calls[0][1]?.method).toBe('DELETE');
  });
});

describe('permissions', () => {
  const user = (role: string, permissions: string[]): CurrentUser => ({
    id: 'u',
    username: 'u',
    role,
    created_at: '2024-01-01T00:00:00Z',
    permissions,
  });

  it('grants what /me lists and everything to admins', () => {
    expect(can(user('viewer', ['definition:read']), 'definition:read')).toBe(true);
    expect(can(user('viewer', ['definition:read']), 'definition:deploy')).toBe(false);
    expect(can(user('admin', []), 'audit:read')).toBe(true);
    expect(can(null, 'definition:read')).toBe(false);
  });
});
