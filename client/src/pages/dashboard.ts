import { LIVESTREAM_NAME_MAX } from '../../../shared/constants.js';
import type { Livestream } from '../../../shared/livestream.js';
import { ApiError, listRecordings, LivestreamsApi } from '../api.js';
import { listAll } from '../dashboard/list-all.js';
import { LivestreamList } from '../dashboard/livestream-list.js';
import { tokenStore } from '../dashboard/token-store.js';
import { confirmDialog, promptDialog } from '../dialog.js';
import { appRoot, h } from '../dom.js';

const REFRESH_MS = 3000;
const WRONG_TOKEN = 'Wrong token';

const root = appRoot();
const message = (error: unknown) => (error instanceof ApiError && error.unauthorized ? WRONG_TOKEN : error instanceof Error ? error.message : String(error));

const saved = tokenStore.get();
if (saved) void signIn(saved, null);
else showSignIn(null);

/** Checks a token by listing livestreams with it; shows the dashboard or the sign-in form again. */
async function signIn(token: string, form: { showError(text: string): void } | null): Promise<void> {
  const api = new LivestreamsApi(token);
  try {
    const items = await listAll((cursor) => api.list(cursor));
    tokenStore.set(token);
    showDashboard(api, items);
  } catch (error) {
    if (error instanceof ApiError && error.unauthorized) tokenStore.clear();
    if (form) form.showError(message(error));
    else showSignIn(message(error));
  }
}

function showSignIn(error: string | null): void {
  const token = h('input', { type: 'password', id: 'api-token', autocomplete: 'current-password', required: true, placeholder: 'AXON_API_TOKEN' });
  const alert = h('p', { className: 'alert', hidden: error === null, textContent: error ?? '', attrs: { role: 'alert', 'data-testid': 'dashboard-error' } });
  const submit = h('button', { type: 'submit', className: 'btn btn-primary', textContent: 'Sign in' });
  const form = h(
    'form',
    { className: 'signin' },
    h('h1', { textContent: 'Axon' }),
    h('p', { className: 'muted', textContent: 'Sign in with the API token of this server.' }),
    h('label', { className: 'field', htmlFor: 'api-token' }, h('span', { className: 'field-label', textContent: 'API token' }), token),
    submit,
    alert,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    alert.hidden = true;
    void signIn(token.value.trim(), {
      showError(text) {
        alert.textContent = text;
        alert.hidden = false;
        submit.disabled = false;
      },
    });
  });
  root.replaceChildren(h('div', { className: 'signin-wrap' }, form));
  token.focus();
}

function showDashboard(api: LivestreamsApi, initial: Livestream[]): void {
  const alert = h('p', { className: 'alert', hidden: true, attrs: { role: 'alert', 'data-testid': 'dashboard-error' } });
  const showError = (error: unknown | null) => {
    alert.textContent = error === null ? '' : message(error);
    alert.hidden = error === null;
  };
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;

  /** Runs an API call; a rejected token ends the session, other errors show and the page goes on. */
  const run = async <T>(call: () => Promise<T>): Promise<T | undefined> => {
    try {
      const result = await call();
      showError(null);
      return result;
    } catch (error) {
      if (error instanceof ApiError && error.unauthorized) {
        clearTimeout(refreshTimer);
        tokenStore.clear();
        showSignIn(WRONG_TOKEN);
        return undefined;
      }
      showError(error);
      return undefined;
    }
  };

  /** Runs a destructive call once the user confirms it; true when it was confirmed and succeeded. */
  const afterConfirming = async (dialog: { title: string; message: string; confirmLabel: string }, call: () => Promise<unknown>): Promise<boolean> => {
    if (!(await confirmDialog({ ...dialog, danger: true }))) return false;
    const done = await run(async () => {
      await call();
      return true;
    });
    return done === true;
  };

  const list = new LivestreamList({
    rename: async (ls) => {
      const name = await promptDialog({ title: 'Rename livestream', label: 'Name', value: ls.name, confirmLabel: 'Save', maxLength: LIVESTREAM_NAME_MAX });
      if (name && name !== ls.name && (await run(() => api.update(ls.id, { name })))) await refresh();
    },
    rotateKey: async (ls) => {
      const rotated = await afterConfirming(
        {
          title: 'Rotate the stream key?',
          message: `"${ls.name}" gets a new stream key. A broadcast going on with the old key ends now; encoders and studio links using it stop working.`,
          confirmLabel: 'Rotate key',
        },
        () => api.rotateKey(ls.id),
      );
      if (rotated) await refresh();
    },
    setEnabled: async (ls, enabled) => {
      const change = () => api.update(ls.id, { enabled });
      const changed = enabled
        ? (await run(change)) !== undefined
        : await afterConfirming(
            {
              title: 'Disable this livestream?',
              message: `"${ls.name}" refuses every publish (browser, OBS, WHIP) until it is enabled again; a broadcast going on now ends. Its recordings and chat stay.`,
              confirmLabel: 'Disable',
            },
            change,
          );
      if (changed) await refresh();
    },
    remove: async (ls) => {
      const removed = await afterConfirming(
        { title: 'Delete this livestream?', message: `"${ls.name}", its settings and its recordings are deleted for good.`, confirmLabel: 'Delete' },
        () => api.remove(ls.id),
      );
      if (removed) await refresh();
    },
    recordings: async (ls) => (await run(() => listRecordings(ls.id)))?.items,
    removeRecording: (ls, recording) =>
      afterConfirming(
        {
          title: 'Delete this recording?',
          message: `The recording of "${ls.name}" from ${new Date(recording.startedAt).toLocaleString()} is deleted for good.`,
          confirmLabel: 'Delete',
        },
        () => api.removeRecording(ls.id, recording.id),
      ),
  });

  const name = h('input', { type: 'text', id: 'new-name', required: true, maxLength: LIVESTREAM_NAME_MAX, placeholder: 'e.g. Friday stand-up' });
  const record = h('input', { type: 'checkbox', id: 'new-record', checked: true });
  const create = h(
    'form',
    { className: 'create-form' },
    h('label', { className: 'field grow', htmlFor: 'new-name' }, h('span', { className: 'field-label', textContent: 'New livestream' }), name),
    h('label', { className: 'check', htmlFor: 'new-record' }, record, ' Record'),
    h('button', { type: 'submit', className: 'btn btn-primary', textContent: 'Create' }),
  );
  create.addEventListener('submit', async (event) => {
    event.preventDefault();
    const created = await run(() => api.create({ name: name.value.trim(), record: record.checked }));
    if (!created) return;
    name.value = '';
    await refresh();
  });

  const signOut = h('button', { type: 'button', className: 'btn btn-ghost btn-small', textContent: 'Sign out' });
  signOut.addEventListener('click', () => {
    clearTimeout(refreshTimer);
    tokenStore.clear();
    showSignIn(null);
  });

  root.replaceChildren(
    h('header', { className: 'topbar' }, h('a', { className: 'brand', href: '/', textContent: 'Axon' }), h('span', { className: 'topbar-sub', textContent: 'Livestreams' }), h('span', { className: 'spacer' }), signOut),
    h('div', { className: 'dashboard' }, create, alert, list.element),
  );

  /** A newer refresh (after an action) supersedes one in flight, so only one timer chain runs. */
  let refreshSeq = 0;
  async function refresh(): Promise<void> {
    clearTimeout(refreshTimer);
    const seq = ++refreshSeq;
    const items = await run(() => listAll((cursor) => api.list(cursor)));
    if (seq !== refreshSeq || !root.contains(list.element)) return;
    if (items) list.show(items);
    refreshTimer = setTimeout(() => void refresh(), REFRESH_MS);
  }
  list.show(initial);
  refreshTimer = setTimeout(() => void refresh(), REFRESH_MS);
}
