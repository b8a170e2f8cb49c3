import { afterEach, describe, expect, it } from 'vitest';
import { initialFocus } from './focus';

afterEach(() => {
  document.body.innerHTML = '';
});

describe('initialFocus', () => {
  it('focuses the element when nothing has the focus', () => {
    const input = document.createElement('input');
    document.body.append(input);
    initialFocus(input);
    expect(document.activeElement).toBe(input);
  });

  it('leaves the focus where the user put it', () => {
    const typing = document.createElement('input');
    const later = document.createElement('input');
    document.body.append(typing, later);
    typing.focus();
    initialFocus(later);
    expect(document.activeElement).toBe(typing);
  });
});
