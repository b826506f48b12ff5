import { h } from './dom.js';

interface DialogOptions {
  title: string;
  confirmLabel: string;
  danger?: boolean;
}

/** Shows a modal <dialog> and resolves with the button the user chose ('confirm' or anything else). */
function showDialog(options: DialogOptions, ...body: Node[]): Promise<{ confirmed: boolean; form: HTMLFormElement }> {
  const confirm = h('button', {
    type: 'submit',
    value: 'confirm',
    className: options.danger ? 'btn btn-danger' : 'btn btn-primary',
    textContent: options.confirmLabel,
  });
  const cancel = h('button', { type: 'submit', value: 'cancel', className: 'btn btn-ghost', textContent: 'Cancel', formNoValidate: true });
  const form = h('form', { method: 'dialog' }, h('h2', { className: 'dialog-title', textContent: options.title }), ...body, h('div', { className: 'actions' }, cancel, confirm));
  const dialog = h('dialog', { className: 'dialog' }, form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve({ confirmed: dialog.returnValue === 'confirm', form });
      dialog.remove();
    });
    dialog.showModal();
  });
}

export async function confirmDialog(options: DialogOptions & { message: string }): Promise<boolean> {
  const { confirmed } = await showDialog(options, h('p', { textContent: options.message }));
  return confirmed;
}

/** Asks for one line of text; null when cancelled. */
export async function promptDialog(options: DialogOptions & { label: string; value: string; maxLength: number }): Promise<string | null> {
  const input = h('input', { type: 'text', value: options.value, required: true, maxLength: options.maxLength, name: 'value' });
  const label = h('label', { className: 'field' }, h('span', { className: 'field-label', textContent: options.label }), input);
  const pending = showDialog(options, label);
  input.select();
  const { confirmed } = await pending;
  return confirmed ? input.value.trim() : null;
}
