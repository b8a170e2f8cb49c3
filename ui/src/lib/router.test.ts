import { describe, expect, it } from 'vitest';
import { href, isPublic, parseHash } from './router';

describe('parseHash', () => {
  it('parses known routes', () => {
    expect(parseHash('#/designer')).toEqual({ name: 'designer', path: '/designer', params: {} });
    expect(parseHash('#/login').name).toBe('login');
    expect(parseHash('#/setup').name).toBe('setup');
    for (const name of ['instances', 'tasks', 'dashboards', 'reports', 'admin']) {
      expect(parseHash(`#/${name}`).name).toBe(name);
    }
  });

  it('reads query parameters', () => {
    expect(parseHash('#/instances?state=active&process_id=order%20flow&offset=50')).toEqual({
      name: 'instances',
      path: '/instances',
      params: { state: 'active', process_id: 'order flow', offset: '50' },
    });
  });

  it('tolerates missing slashes, trailing slashes and sub-paths', () => {
    expect(parseHash('#designer').name).toBe('designer');
    expect(parseHash('#/instances/').path).toBe('/instances');
    expect(parseHash('#/instances/0190-abc')).toMatchObject({ name: 'instances', path: '/instances/0190-abc' });
    expect(parseHash('/admin').name).toBe('admin');
  });

  it('gives null for empty and unknown routes', () => {
    expect(parseHash('')).toEqual({ name: null, path: '/', params: {} });
    expect(parseHash('#/')).toMatchObject({ name: null, path: '/' });
    expect(parseHash('#/nowhere').name).toBeNull();
  });
});

describe('href', () => {
  it('builds hashes and drops empty parameters', () => {
    expect(href('designer')).toBe('#/designer');
    expect(href('instances', { state: 'active', process_id: '', offset: undefined })).toBe('#/instances?state=active');
    expect(parseHash(href('instances', { process_id: 'a&b' })).params.process_id).toBe('a&b');
  });
});

describe('isPublic', () => {
  it('marks only login and setup as public', () => {
    expect(isPublic('login')).toBe(true);
    expect(isPublic('setup')).toBe(true);
    expect(isPublic('admin')).toBe(false);
    expect(isPublic(null)).toBe(false);
  });
});
