import { describe, expect, it } from 'vitest';
import { groupSecret, newPasswordProblem, recoveryCodesText, svgDataUrl } from './account';

describe('svgDataUrl', () => {
  it('base64-encodes the markup into an image data URL', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>';
    const url = svgDataUrl(svg);
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(atob(url.slice('data:image/svg+xml;base64,'.length))).toBe(svg);
  });

  it('keeps the server\'s SVG data URI as it is', () => {
    const uri = 'data:image/svg+xml;base64,PHN2Zy8+';
    expect(svgDataUrl(uri)).toBe(uri);
  });

  it('refuses other URLs and malformed data URIs', () => {
    expect(svgDataUrl('https://evil.example/qr.svg')).toBe('');
    expect(svgDataUrl('javascript:alert(1)')).toBe('');
    expect(svgDataUrl('data:image/svg+xml;base64,PHN2Zy8+" onerror="x')).toBe('');
    expect(svgDataUrl('data:text/html;base64,PGgxPg==')).toBe('');
  });

  it('keeps non-ASCII text intact as UTF-8', () => {
    const svg = '<svg><title>Flowdesk – Ada</title></svg>';
    const encoded = svgDataUrl(svg).split(',')[1];
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    expect(new TextDecoder().decode(bytes)).toBe(svg);
  });
});

describe('recovery codes file', () => {
  it('names the user and host, then one code a line', () => {
    const text = recoveryCodesText('ada', ['aaaa-bbbb', 'cccc-dddd'], 'flowdesk.example:8080');
    expect(text.split('\n')).toEqual([
      'Flowdesk recovery codes for ada on flowdesk.example:8080. Each code works once.',
      '',
      'aaaa-bbbb',
      'cccc-dddd',
      '',
    ]);
  });
});

describe('groupSecret', () => {
  it('groups a base32 secret by four', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
    expect(groupSecret('ABCDEF')).toBe('ABCD EF');
  });
});

describe('newPasswordProblem', () => {
  it('asks for the current password', () => {
    expect(newPasswordProblem('', 'long enough pw', 'long enough pw')).toMatch(/current password/);
  });

  it('requires 12 characters', () => {
    expect(newPasswordProblem('old', 'elevenchars', 'elevenchars')).toMatch(/at least 12/);
    expect(newPasswordProblem('old', 'twelve chars', 'twelve chars')).toBeNull();
  });

  it('requires the repeat to match and the password to change', () => {
    expect(newPasswordProblem('old', 'twelve chars', 'twelve charz')).toMatch(/do not match/);
    expect(newPasswordProblem('twelve chars', 'twelve chars', 'twelve chars')).toMatch(/same/);
  });
});
