/**
 * form-js rendering of user task forms, loaded on demand (dynamic import) so
 * the form viewer stays out of the first paint.
 */
import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';

/** A rendered task form. */
export interface RenderedForm {
  /** Validates every field; the data to complete with, or the fields in error. */
  submit(): { data: Record<string, unknown>; errors: Record<string, unknown> };
  destroy(): void;
}

/** Renders a form-js schema into `container`, prefilled with `data`; `onChange` follows the user's edits. */
export async function renderForm(
  container: HTMLElement,
  schema: Record<string, unknown>,
  data: Record<string, unknown>,
  onChange: () => void,
): Promise<RenderedForm> {
  // No debounce: a value typed just before "Complete" is in the submitted data.
  const form = new Form({ container, debounce: false } as ConstructorParameters<typeof Form>[0]);
  await form.importSchema(schema as never, data);
  // The user's edits only: form-js also reports state changes of a submit.
  container.addEventListener('input', onChange);
  return {
    submit() {
      const { data: submitted, errors } = form.submit();
      return { data: submitted as Record<string, unknown>, errors: errors as Record<string, unknown> };
    },
    destroy: () => form.destroy(),
  };
}
