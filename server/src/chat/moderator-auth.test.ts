import { describe, expect, it } from 'vitest';
import type { PublishAuthorizer } from '../session/publish-auth.js';
import { chatRole } from './moderator-auth.js';

describe('chatRole', () => {
  const noApiToken = { isAdmin: () => false };

  it("keeps a disabled livestream's streamer the moderator of its chat: disabling refuses publishes only", async () => {
    const disabled: PublishAuthorizer = { authorizePublish: async (_id, key) => (key === 'the-key' ? 'disabled' : 'wrong_key') };
    expect(await chatRole({ streamKey: 'the-key' }, 'livestream-1', disabled, noApiToken)).toBe('moderator');
    expect(await chatRole({ streamKey: 'not-the-key' }, 'livestream-1', disabled, noApiToken)).toBe('forbidden');
    expect(await chatRole({}, 'livestream-1', disabled, noApiToken)).toBe('viewer');
  });
});
