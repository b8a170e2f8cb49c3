import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ThemeStore, THEME_STORAGE_KEY } from './theme.svelte';

function prefersDark(dark: boolean) {
  vi.stubGlobal(
    'matchMedia',
    vi.fn((query: string) => ({
      matches: dark && query.includes('dark'),
      media: query,
      addEventListener() {},
      removeEventListener() {},
    })),
  );
}

beforeEach(() => {
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('theme store', () => {
  it('follows the system preference when nothing is stored', () => {
    prefersDark(true);
    expect(new ThemeStore().current).toBe('dark');
    prefersDark(false);
    expect(new ThemeStore().current).toBe('light');
  });

  it('prefers the stored choice over the system', () => {
    prefersDark(true);
    localStorage.setItem(THEME_STORAGE_KEY, 'light');
    expect(new ThemeStore().current).toBe('light');
  });

  it('ignores garbage in storage', () => {
    prefersDark(false);
    localStorage.setItem(THEME_STORAGE_KEY, 'purple');
    expect(new ThemeStore().current).toBe('light');
  });

  it('applies the theme to <html data-theme>', () => {
    prefersDark(true);
    new ThemeStore();
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  it('toggles, applies and remembers', () => {
    prefersDark(false);
    const theme = new ThemeStore();
    theme.toggle();
    expect(theme.current).toBe('dark');
    expect(theme.isDark).toBe(true);
    expect(document.documentElement.getAttribute('data-theme')).toBe('dark');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');

    theme.toggle();
    expect(theme.current).toBe('light');
    expect(document.documentElement.getAttribute('data-theme')).toBe('light');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('light');

    expect(new ThemeStore().current).toBe('light');
  });
});
