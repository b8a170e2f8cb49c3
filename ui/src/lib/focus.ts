/**
 * Svelte action: focuses the element when it is mounted, unless the user
 * has already put the focus somewhere. Unlike the `autofocus` attribute,
 * which WebKit may apply late, it never moves the focus away from a field
 * the user is typing in.
 */
export function initialFocus(node: HTMLElement): void {
  const active = document.activeElement;
  if (!active || active === document.body) node.focus();
}
