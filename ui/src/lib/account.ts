/**
 * Helpers for the Security page (#/account): showing the server's QR code
 * without injecting markup, and the recovery codes as a file.
 */
import { MIN_PASSWORD_LENGTH } from './api';

const SVG_DATA_PREFIX = 'data:image/svg+xml;base64,';

/**
 * The QR code as a `data:` URL for an `<img>`: an image element never runs
 * scripts or loads what the markup references, unlike `{@html}`. The server
 * sends a base64 SVG data URI (kept as is); bare SVG markup is encoded; any
 * other URL is refused (empty string) so the image cannot point elsewhere.
 */
export function svgDataUrl(svg: string): string {
  const value = svg.trim();
  if (value.startsWith(SVG_DATA_PREFIX)) {
    return /^[A-Za-z0-9+/]*={0,2}$/.test(value.slice(SVG_DATA_PREFIX.length)) ? value : '';
  }
  if (!value.startsWith('<')) return '';
  const bytes = new TextEncoder().encode(value);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return SVG_DATA_PREFIX + btoa(binary);
}

/** The recovery codes as a text file: a heading line, then one code a line. */
export function recoveryCodesText(username: string, codes: readonly string[], host: string): string {
  const heading = `Flowdesk recovery codes for ${username}${host ? ` on ${host}` : ''}. Each code works once.`;
  return [heading, '', ...codes, ''].join('\n');
}

/** A base32 secret in groups of four, easier to type into an authenticator app. */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}

/** Why a new password would be refused before asking the server, or null if it may go. */
export function newPasswordProblem(current: string, next: string, repeat: string): string | null {
  if (!current) return 'Enter your current password.';
  if (next.length < MIN_PASSWORD_LENGTH) return `The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (next !== repeat) return 'The two new passwords do not match.';
  if (next === current) return 'The new password is the same as the current one.';
  return null;
}
