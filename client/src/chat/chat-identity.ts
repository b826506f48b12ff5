import { checkChatName, PARTICIPANT_ID_PATTERN } from '../../../shared/chat.js';

const PARTICIPANT_KEY = 'axon.chat.participant';
const NAME_KEY = 'axon.chat.name';

// Storage can be unavailable (private modes, blocked cookies): chat then works for this page's lifetime.
function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not kept: asked again next time.
  }
}

/** This browser's chat participant id: random, kept across reloads so a moderator's ban sticks. */
export function participantId(): string {
  const stored = read(PARTICIPANT_KEY);
  if (stored !== null && PARTICIPANT_ID_PATTERN.test(stored)) return stored;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  write(PARTICIPANT_KEY, id);
  return id;
}

/** The name this browser chatted with last, so a returning viewer is not asked again. */
export function savedName(): string | undefined {
  const stored = read(NAME_KEY);
  if (stored === null) return undefined;
  const checked = checkChatName(stored);
  return checked.ok ? checked.value : undefined;
}

export function saveName(name: string): void {
  write(NAME_KEY, name);
}
