import { confirmDialog } from '../dialog.js';
import { ChatClient } from './chat-client.js';
import { ChatController } from './chat-controller.js';
import { participantId, savedName, saveName } from './chat-identity.js';
import { ChatView } from './chat-view.js';

export interface ChatPanelOptions {
  livestreamId: string;
  /** The streamer's credential: the panel then offers to delete messages and ban their authors. */
  moderator?: { streamKey: string };
}

export interface ChatPanel {
  destroy(): void;
}

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
  const controller = new ChatController({ client, confirm: confirmDialog, saveName });
  const view = new ChatView(container, controller);
  view.render(controller.model);
  controller.events.on('changed', (model) => view.render(model));
  controller.events.on('history', (messages, moderator) => view.showHistory(messages, moderator));
  controller.events.on('message', (message) => view.list.add(message));
  controller.events.on('removed', (id) => view.list.remove(id));
  controller.events.on('reaction', (burst) => view.reactions.show(burst));
  controller.events.on('nameNeeded', () => view.askName());
  return {
    destroy: () => {
      controller.destroy();
      view.remove();
    },
  };
}
