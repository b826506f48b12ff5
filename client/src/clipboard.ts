import { h } from './dom.js';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return copyBySelection(text);
  }
}

/** Pages on plain http (other than localhost) have no navigator.clipboard; the old selection copy still works there. */
function copyBySelection(text: string): boolean {
  const area = h('textarea', { value: text, readOnly: true, className: 'offscreen' });
  document.body.append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

/** A "Copy" button for the value `read()` returns at click time; it says whether the copy worked. */
export function copyButton(read: () => string, label = 'Copy'): HTMLButtonElement {
  const button = h('button', { type: 'button', className: 'btn btn-small', textContent: label });
  let reset: ReturnType<typeof setTimeout> | undefined;
  button.addEventListener('click', async () => {
    const ok = await copyText(read());
    button.textContent = ok ? 'Copied' : 'Copy failed';
    clearTimeout(reset);
    reset = setTimeout(() => (button.textContent = label), 1500);
  });
  return button;
}

/** A read-only value with its copy button; a secret stays masked until shown. */
export function copyField(label: string, options: { secret?: boolean; multiline?: boolean; testid?: string } = {}) {
  const input = options.multiline
    ? h('textarea', { readOnly: true, rows: 3, className: 'copy-value', spellcheck: false })
    : h('input', { type: options.secret ? 'password' : 'text', readOnly: true, className: 'copy-value', spellcheck: false });
  if (options.testid) input.setAttribute('data-testid', options.testid);
  input.setAttribute('aria-label', label);
  const buttons = h('div', { className: 'copy-buttons' });
  if (options.secret && input instanceof HTMLInputElement) {
    const toggle = h('button', { type: 'button', className: 'btn btn-small btn-ghost', textContent: 'Show' });
    toggle.addEventListener('click', () => {
      const hidden = input.type === 'password';
      input.type = hidden ? 'text' : 'password';
      toggle.textContent = hidden ? 'Hide' : 'Show';
    });
    buttons.append(toggle);
  }
  buttons.append(copyButton(() => input.value));
  const element = h('div', { className: 'copy-field' }, h('span', { className: 'field-label', textContent: label }), h('div', { className: 'copy-row' }, input, buttons));
  return {
    element,
    set(value: string) {
      input.value = value;
    },
  };
}
