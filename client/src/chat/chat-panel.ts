import { CHAT_NAME_MAX, CHAT_TEXT_MAX, checkChatName, checkChatText, type ChatError, type ChatMessage } from '../../../shared/chat.js';
import { confirmDialog } from '../dialog.js';
import { h } from '../dom.js';
import { ChatClient } from './chat-client.js';
import { participantId, savedName, saveName } from './chat-identity.js';
import { MessageList } from './message-list.js';
import { ReactionBar } from './reaction-bar.js';
import './chat.css';

export interface ChatPanelOptions {
  livestreamId: string;
  /** The streamer's credential: the panel then offers to delete messages and ban their authors. */
  moderator?: { streamKey: string };
}

export interface ChatPanel {
  destroy(): void;
}

const errorText: Record<ChatError, string> = {
  invalid: 'That cannot be sent.',
  too_long: `Messages are at most ${CHAT_TEXT_MAX} characters.`,
  rate_limited: 'You are sending too fast: wait a few seconds.',
  not_joined: 'The chat is not connected yet.',
  name_required: 'Choose a name first.',
  banned: 'The streamer has stopped you from sending messages here.',
  unknown_livestream: 'This livestream does not exist.',
  forbidden: 'The stream key does not moderate this chat.',
  not_found: 'That message is gone already.',
  unknown_event: 'The chat did not understand that.',
  internal: 'The chat did not answer: try again.',
};
const nameErrorText: Partial<Record<ChatError, string>> = {
  invalid: 'Enter a name on one line.',
  too_long: `Names are at most ${CHAT_NAME_MAX} characters.`,
};

const viewersText = (n: number) => `${n} watching`;

/**
 * The live chat beside a player: history and new messages, reactions, the viewer count and, for the
 * streamer, moderation. Asks for a name only when the viewer first sends something.
 */
export function mountChatPanel(container: HTMLElement, options: ChatPanelOptions): ChatPanel {
  const client = new ChatClient({
    livestreamId: options.livestreamId,
    participant: participantId(),
    name: savedName(),
    ...(options.moderator && { streamKey: options.moderator.streamKey }),
  });

  const viewers = h('span', { className: 'chat-viewers', attrs: { 'data-testid': 'viewer-count' } });
  const list = new MessageList();
  const reactions = new ReactionBar((emoji, button) => {
    void client.react(emoji).then((ack) => {
      if (!ack.ok) ReactionBar.refused(button);
      if (!ack.ok && ack.error !== 'rate_limited') showStatus(errorText[ack.error]);
    });
  });
  const status = h('p', { className: 'chat-status', hidden: true, attrs: { role: 'status', 'data-testid': 'chat-status' } });
  const input = h('input', {
    type: 'text',
    className: 'chat-input',
    placeholder: 'Say something…',
    autocomplete: 'off',
    attrs: { 'data-testid': 'chat-input', 'aria-label': 'Chat message' },
  });
  const sendButton = h('button', { type: 'submit', className: 'btn btn-primary', textContent: 'Send', attrs: { 'data-testid': 'chat-send' } });
  const form = h('form', { className: 'chat-form' }, input, sendButton);
  const nameInput = h('input', {
    type: 'text',
    className: 'chat-input',
    placeholder: 'Your name',
    autocomplete: 'username',
    attrs: { 'data-testid': 'chat-name', 'aria-label': 'Your name in the chat' },
  });
  const nameForm = h(
    'form',
    { className: 'chat-name-form', hidden: true },
    h('span', { className: 'chat-name-label', textContent: 'Choose a name to chat' }),
    h('div', { className: 'chat-form' }, nameInput, h('button', { type: 'submit', className: 'btn btn-primary', textContent: 'Start chatting' })),
  );
  const panel = h(
    'section',
    { className: 'chat-panel', attrs: { 'aria-label': 'Live chat', 'data-testid': 'chat-panel' } },
    h('header', { className: 'chat-header' }, h('h2', { className: 'chat-title', textContent: 'Live chat' }), viewers),
    h('div', { className: 'chat-body' }, list.element, reactions.layer),
    reactions.buttons,
    nameForm,
    form,
    status,
  );
  container.append(panel);

  let connected = false;
  let banned = false;
  let sending = false;
  let statusTimer: ReturnType<typeof setTimeout> | undefined;
  const showStatus = (text: string | null, sticky = false) => {
    clearTimeout(statusTimer);
    status.textContent = text ?? '';
    status.hidden = text === null;
    if (text !== null && !sticky) statusTimer = setTimeout(() => showStatus(null), 5000);
  };
  const render = () => {
    const canSend = connected && !banned;
    sendButton.disabled = !canSend || sending;
    for (const button of reactions.buttons.querySelectorAll('button')) button.disabled = !canSend;
  };
  render();

  client.events.on('state', (state, detail) => {
    connected = state === 'connected';
    if (state === 'reconnecting') showStatus('Reconnecting to the chat…', true);
    else if (state === 'refused') showStatus(detail && detail in errorText ? errorText[detail as ChatError] : 'The chat refused the connection.', true);
    else if (state === 'connected' && !banned) showStatus(null);
    render();
  });
  client.events.on('joined', (joined) => {
    list.setModeration(joined.moderator ? { delete: deleteMessage, ban } : undefined);
    list.replace(joined.history);
    viewers.textContent = viewersText(joined.viewers);
  });
  client.events.on('message', (message) => list.add(message));
  client.events.on('deleted', (id) => list.remove(id));
  client.events.on('reaction', (burst) => reactions.show(burst));
  client.events.on('viewers', (count) => (viewers.textContent = viewersText(count)));
  client.events.on('banned', () => {
    banned = true;
    showStatus(errorText.banned, true);
    render();
  });

  async function deleteMessage(message: ChatMessage): Promise<void> {
    const ack = await client.deleteMessage(message.id);
    if (ack.ok) list.remove(message.id);
    else showStatus(errorText[ack.error]);
  }

  async function ban(message: ChatMessage): Promise<void> {
    const confirmed = await confirmDialog({
      title: `Ban ${message.name}?`,
      message: 'They will no longer be able to send messages or reactions in this chat.',
      confirmLabel: 'Ban',
      danger: true,
    });
    if (!confirmed) return;
    const ack = await client.ban(message.id);
    showStatus(ack.ok ? `${message.name} can no longer send messages.` : errorText[ack.error]);
  }

  async function send(): Promise<void> {
    if (sending || !connected || banned) return;
    const checked = checkChatText(input.value);
    if (!checked.ok) {
      if (checked.error === 'too_long') showStatus(errorText.too_long);
      return;
    }
    if (!client.hasName) {
      nameForm.hidden = false;
      nameInput.focus();
      return;
    }
    const typed = input.value;
    sending = true;
    render();
    const ack = await client.send(checked.value);
    sending = false;
    render();
    if (ack.ok) {
      list.add(ack.message);
      // Whatever was typed while the message was on its way stays.
      if (input.value === typed) input.value = '';
      showStatus(null);
    } else if (ack.error === 'name_required') {
      nameForm.hidden = false;
      nameInput.focus();
    } else {
      if (ack.error === 'banned') banned = true;
      showStatus(errorText[ack.error], ack.error === 'banned');
      render();
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });

  nameForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const checked = checkChatName(nameInput.value);
    if (!checked.ok) {
      showStatus(nameErrorText[checked.error] ?? errorText[checked.error]);
      return;
    }
    void client.setName(checked.value).then((ack) => {
      if (!ack.ok) {
        showStatus(nameErrorText[ack.error] ?? errorText[ack.error]);
        return;
      }
      saveName(ack.name);
      nameForm.hidden = true;
      input.focus();
      if (input.value.trim() !== '') void send();
    });
  });

  return {
    destroy: () => {
      clearTimeout(statusTimer);
      client.close();
      panel.remove();
    },
  };
}
