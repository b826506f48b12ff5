import type { ChatMessage } from '../../../shared/chat.js';
import { h } from '../dom.js';
import type { ChatIntents, ChatPanelModel } from './chat-controller.js';
import { MessageList } from './message-list.js';
import { ReactionBar } from './reaction-bar.js';
import './chat.css';

const viewersText = (n: number) => `${n} watching`;

/**
 * The live chat panel on the page: messages, reactions floating up, the viewer count, the message and
 * name forms, and a status line. Renders what the controller says and hands it what the viewer does.
 */
export class ChatView {
  readonly list = new MessageList();
  readonly reactions: ReactionBar;
  private readonly viewers = h('span', { className: 'chat-viewers', attrs: { 'data-testid': 'viewer-count' } });
  private readonly status = h('p', { className: 'chat-status', hidden: true, attrs: { role: 'status', 'data-testid': 'chat-status' } });
  private readonly input = textInput('Say something…', 'off', 'chat-input', 'Chat message');
  private readonly sendButton = h('button', { type: 'submit', className: 'btn btn-primary', textContent: 'Send', attrs: { 'data-testid': 'chat-send' } });
  private readonly nameInput = textInput('Your name', 'username', 'chat-name', 'Your name in the chat');
  private readonly nameForm = h(
    'form',
    { className: 'chat-name-form', hidden: true },
    h('span', { className: 'chat-name-label', textContent: 'Choose a name to chat' }),
    h('div', { className: 'chat-form' }, this.nameInput, h('button', { type: 'submit', className: 'btn btn-primary', textContent: 'Start chatting' })),
  );
  private readonly panel: HTMLElement;

  constructor(
    container: HTMLElement,
    private readonly intents: ChatIntents,
  ) {
    this.reactions = new ReactionBar((emoji, button) => {
      void intents.react(emoji).then((ok) => {
        if (!ok) ReactionBar.refused(button);
      });
    });
    const form = h('form', { className: 'chat-form' }, this.input, this.sendButton);
    this.panel = h(
      'section',
      { className: 'chat-panel', attrs: { 'aria-label': 'Live chat', 'data-testid': 'chat-panel' } },
      h('header', { className: 'chat-header' }, h('h2', { className: 'chat-title', textContent: 'Live chat' }), this.viewers),
      h('div', { className: 'chat-body' }, this.list.element, this.reactions.layer),
      this.reactions.buttons,
      this.nameForm,
      form,
      this.status,
    );
    container.append(this.panel);

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
    this.nameForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void intents.chooseName(this.nameInput.value).then((chosen) => {
        if (!chosen) return;
        this.nameForm.hidden = true;
        this.input.focus();
        if (this.input.value.trim() !== '') void this.send();
      });
    });
  }

  render(model: ChatPanelModel): void {
    this.sendButton.disabled = !model.canSend || model.sending;
    for (const button of this.reactions.buttons.querySelectorAll('button')) button.disabled = !model.canSend;
    this.status.textContent = model.status ?? '';
    this.status.hidden = model.status === null;
    if (model.viewers !== null) this.viewers.textContent = viewersText(model.viewers);
  }

  /** The messages after a (re)join, with delete and ban buttons for a moderator. */
  showHistory(messages: ChatMessage[], moderator: boolean): void {
    this.list.setModeration(
      moderator ? { delete: (message) => void this.intents.deleteMessage(message), ban: (message) => void this.intents.ban(message) } : undefined,
    );
    this.list.replace(messages);
  }

  askName(): void {
    this.nameForm.hidden = false;
    this.nameInput.focus();
  }

  remove(): void {
    this.panel.remove();
  }

  private async send(): Promise<void> {
    const typed = this.input.value;
    // Whatever was typed while the message was on its way stays.
    if ((await this.intents.send(typed)) && this.input.value === typed) this.input.value = '';
  }
}

function textInput(placeholder: string, autocomplete: AutoFill, testid: string, label: string): HTMLInputElement {
  return h('input', { type: 'text', className: 'chat-input', placeholder, autocomplete, attrs: { 'data-testid': testid, 'aria-label': label } });
}
