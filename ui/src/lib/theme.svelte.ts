/**
 * Light/dark theme: the user's choice is remembered in localStorage; without
 * one, the system preference decides. Applied as `<html data-theme>`.
 */

export type Theme = 'light' | 'dark';
export const THEME_STORAGE_KEY = 'flowdesk.theme';

function storedTheme(): Theme | null {
  try {
    const value = localStorage.getItem(THEME_STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    return null;
  }
}

function systemTheme(): Theme {
  if (typeof window !== 'undefined' && typeof window.matchMedia === 'function') {
    return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
  return 'light';
}

export class ThemeStore {
  current = $state<Theme>('light');

  constructor() {
    this.current = storedTheme() ?? systemTheme();
    this.apply();
  }

  get isDark(): boolean {
    return this.current === 'dark';
  }

  set(theme: Theme): void {
    this.current = theme;
    try {
      localStorage.setItem(THEME_STORAGE_KEY, theme);
    } catch {
      // storage may be unavailable (private mode); the theme still applies
    }
    this.apply();
  }

  toggle(): void {
    this.set(this.current === 'dark' ? 'light' : 'dark');
  }

  apply(): void {
    if (typeof document !== 'undefined') document.documentElement.dataset.theme = this.current;
  }
}

export const theme = new ThemeStore();
