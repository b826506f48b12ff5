import { z } from 'zod';
import {
  MESSAGE_ID_PATTERN,
  PARTICIPANT_ID_PATTERN,
  REACTIONS,
  type ChatAuth,
  type ChatJoinRequest,
  type ChatNameRequest,
  type ChatSendRequest,
  type ModerationRequest,
  type ReactionEmoji,
  type ReactionSendRequest,
} from './chat.js';
import { livestreamIdSchema } from './livestream.js';

/*
 * The shapes of the chat requests (shared/chat.ts). Texts and names are only required to be strings here:
 * checkChatText/checkChatName judge them afterwards, so that a too long text gets its own error code. The
 * transport's buffer limit bounds how long a string can get.
 */

const reactionEmojis = REACTIONS.map((r) => r.emoji) as [ReactionEmoji, ...ReactionEmoji[]];

export const chatJoinSchema: z.ZodType<ChatJoinRequest> = z
  .object({ livestreamId: livestreamIdSchema, name: z.string().optional() })
  .strict();
export const chatNameSchema: z.ZodType<ChatNameRequest> = z.object({ name: z.string() }).strict();
export const chatSendSchema: z.ZodType<ChatSendRequest> = z.object({ text: z.string() }).strict();
export const reactionSendSchema: z.ZodType<ReactionSendRequest> = z.object({ emoji: z.enum(reactionEmojis) }).strict();
export const moderationSchema: z.ZodType<ModerationRequest> = z.object({ messageId: z.string().regex(MESSAGE_ID_PATTERN) }).strict();
export const chatAuthSchema: z.ZodType<ChatAuth> = z
  .object({
    streamKey: z.string().min(1).max(256).optional(),
    token: z.string().min(1).max(256).optional(),
    participant: z.string().regex(PARTICIPANT_ID_PATTERN).optional(),
  })
  .strict();
