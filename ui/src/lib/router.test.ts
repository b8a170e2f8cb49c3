import { describe, expect, it } from 'vitest';
import { href, instanceHref, instanceIdOf, isPublic, parseHash, subPath } from './router';

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

describe('instance detail routes', () => {
  it('reads the instance id from #/instances/{id}', () => {
    expect(instanceIdOf(parseHash('#/instances/0190-abc'))).toBe('0190-abc');
    expect(instanceIdOf(parseHash('#/instances/0190-abc/'))).toBe('0190-abc');
    expect(instanceIdOf(parseHash('#/instances/0190-abc?tab=history'))).toBe('0190-abc');
  });

  it('gives null on the list and on other screens', () => {
    expect(instanceIdOf(parseHash('#/instances'))).toBeNull();
    expect(instanceIdOf(parseHash('#/instances?state=active'))).toBeNull();
    expect(instanceIdOf(parseHash('#/designer/0190-abc'))).toBeNull();
    expect(instanceIdOf(parseHash('#/nowhere/0190-abc'))).toBeNull();
  });

  it('round-trips ids through instanceHref', () => {
    expect(instanceHref('0190-abc')).toBe('#/instances/0190-abc');
    const odd = 'a b/c?d';
    expect(instanceIdOf(parseHash(instanceHref(odd)))).toBe(odd);
    expect(parseHash(instanceHref('x')).name).toBe('instances');
  });

  it('splits and decodes sub-paths', () => {
    expect(subPath(parseHash('#/instances'))).toEqual([]);
    expect(subPath(parseHash('#/instances/a%20b/history'))).toEqual(['a b', 'history']);
    expect(subPath(parseHash('#/instances/%E0%A4%A'))).toEqual(['%E0%A4%A']);
  });
});
