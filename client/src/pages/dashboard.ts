import type { Livestream } from '../../../shared/livestream.js';
import { ApiError, listRecordings, LivestreamsApi, RestreamsApi, WebhooksApi } from '../api.js';
import { DashboardController, errorMessage } from '../dashboard/dashboard-controller.js';
import { DashboardView } from '../dashboard/dashboard-view.js';
import { listAll } from '../dashboard/list-all.js';
import { RestreamsController } from '../dashboard/restreams-controller.js';
import { tokenStore } from '../dashboard/token-store.js';
import { WebhooksController } from '../dashboard/webhooks-controller.js';
import { WebhooksView } from '../dashboard/webhooks-view.js';
import { confirmDialog, promptDialog } from '../dialog.js';
import { appRoot, h } from '../dom.js';

const root = appRoot();

const saved = tokenStore.get();
if (saved) void signIn(saved, null);
else showSignIn(null);

/** Checks a token by listing livestreams with it; shows the dashboard or the sign-in form again. */
async function signIn(token: string, form: { showError(text: string): void } | null): Promise<void> {
  const api = new LivestreamsApi(token);
  try {
    const items = await listAll((cursor) => api.list(cursor));
    tokenStore.set(token);
    showDashboard(api, items, new WebhooksApi(token), new RestreamsApi(token));
  } catch (error) {
    if (error instanceof ApiError && error.unauthorized) tokenStore.clear();
    if (form) form.showError(errorMessage(error));
    else showSignIn(errorMessage(error));
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

function showDashboard(api: LivestreamsApi, initial: Livestream[], webhooksApi: WebhooksApi, restreamsApi: RestreamsApi): void {
  const controller = new DashboardController({
    api,
    recordings: listRecordings,
    restreams: (livestreamId) => new RestreamsController({ api: restreamsApi, livestreamId, confirm: confirmDialog }),
    confirm: confirmDialog,
    prompt: promptDialog,
    signedOut: (reason) => {
      tokenStore.clear();
      showSignIn(reason);
    },
  });
  const view = new DashboardView(root, controller);
  controller.events.on('livestreams', (items) => view.showLivestreams(items));
  controller.events.on('error', (message) => view.showError(message));
  controller.start(initial);

  const webhooks = new WebhooksController({ api: webhooksApi, confirm: confirmDialog });
  const webhooksView = new WebhooksView(webhooks, () => void webhooks.load());
  webhooks.events.on('webhooks', (items) => webhooksView.showWebhooks(items));
  webhooks.events.on('created', (created) => webhooksView.showCreated(created));
  webhooks.events.on('error', (message) => webhooksView.showError(message));
  view.addSection(webhooksView.element);
}
