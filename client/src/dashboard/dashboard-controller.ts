import { LIVESTREAM_NAME_MAX } from '../../../shared/constants.js';
import type { CreateLivestreamRequest, Livestream } from '../../../shared/livestream.js';
import type { Recording, RecordingList } from '../../../shared/recording.js';
import { ApiError, type LivestreamsApi } from '../api.js';
import { Emitter } from '../emitter.js';
import type { CardActions } from './livestream-card.js';
import { listAll } from './list-all.js';
import type { RestreamIntents } from './restreams-controller.js';

export const REFRESH_MS = 3000;
export const WRONG_TOKEN = 'Wrong token';

/** An API failure in the owner's words: a refused token reads as such. */
export const errorMessage = (error: unknown) =>
  error instanceof ApiError && error.unauthorized ? WRONG_TOKEN : error instanceof Error ? error.message : String(error);

/**
 * Runs an API call and reports how it went: `report(null)` after a success, `report(error)` after a failure
 * (then the answer is undefined). What each part of the dashboard does with a failure is its own.
 */
export async function reportedCall<T>(call: () => Promise<T>, report: (error: unknown) => void): Promise<T | undefined> {
  try {
    const result = await call();
    report(null);
    return result;
  } catch (error) {
    report(error);
    return undefined;
  }
}

interface Dialog {
  title: string;
  message: string;
  confirmLabel: string;
}

export interface DashboardDeps {
  api: Pick<LivestreamsApi, 'list' | 'create' | 'update' | 'remove' | 'rotateKey' | 'removeRecording'>;
  recordings(livestreamId: string): Promise<RecordingList>;
  confirm(dialog: Dialog & { danger: boolean }): Promise<boolean>;
  prompt(dialog: { title: string; label: string; value: string; confirmLabel: string; maxLength: number }): Promise<string | null>;
  /** One livestream's restream targets. */
  restreams(livestreamId: string): RestreamIntents;
  /** The session is over (signed out, or the token was refused): back to signing in, with why. */
  signedOut(reason: string | null): void;
}

/** What the owner can ask of the dashboard besides a card's own actions. */
export interface DashboardIntents extends CardActions {
  /** True when created. */
  create(request: CreateLivestreamRequest): Promise<boolean>;
  signOut(): void;
}

export interface DashboardEvents {
  livestreams: [Livestream[]];
  /** What went wrong with the last call; null once one succeeded. */
  error: [message: string | null];
}

/** The owner's dashboard: the livestreams, kept fresh, and what the owner does to them, over the API. */
export class DashboardController implements DashboardIntents {
  readonly events = new Emitter<DashboardEvents>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** A newer refresh (after an action) supersedes one in flight, so only one timer chain runs. */
  private refreshSeq = 0;
  private stopped = false;

  constructor(private readonly deps: DashboardDeps) {}

  /** Shows the livestreams read at sign-in, then keeps them fresh. */
  start(initial: Livestream[]): void {
    this.events.emit('livestreams', initial);
    this.refreshTimer = setTimeout(() => void this.refresh(), REFRESH_MS);
  }

  restreams(livestream: Livestream): RestreamIntents {
    return this.deps.restreams(livestream.id);
  }

  signOut(): void {
    this.stop();
    this.deps.signedOut(null);
  }

  async create(request: CreateLivestreamRequest): Promise<boolean> {
    const created = await this.run(() => this.deps.api.create(request));
    if (created) void this.refresh();
    return created !== undefined;
  }

  async rename(ls: Livestream): Promise<void> {
    const name = await this.deps.prompt({ title: 'Rename livestream', label: 'Name', value: ls.name, confirmLabel: 'Save', maxLength: LIVESTREAM_NAME_MAX });
    if (name && name !== ls.name && (await this.run(() => this.deps.api.update(ls.id, { name })))) await this.refresh();
  }

  async rotateKey(ls: Livestream): Promise<void> {
    const rotated = await this.afterConfirming(
      {
        title: 'Rotate the stream key?',
        message: `"${ls.name}" gets a new stream key. A broadcast going on with the old key ends now; encoders and studio links using it stop working.`,
        confirmLabel: 'Rotate key',
      },
      () => this.deps.api.rotateKey(ls.id),
    );
    if (rotated) await this.refresh();
  }

  async setEnabled(ls: Livestream, enabled: boolean): Promise<void> {
    const change = () => this.deps.api.update(ls.id, { enabled });
    const changed = enabled
      ? (await this.run(change)) !== undefined
      : await this.afterConfirming(
          {
            title: 'Disable this livestream?',
            message: `"${ls.name}" refuses every publish (browser, OBS, WHIP) until it is enabled again; a broadcast going on now ends. Its recordings and chat stay.`,
            confirmLabel: 'Disable',
          },
          change,
        );
    if (changed) await this.refresh();
  }

  async remove(ls: Livestream): Promise<void> {
    const removed = await this.afterConfirming(
      { title: 'Delete this livestream?', message: `"${ls.name}", its settings and its recordings are deleted for good.`, confirmLabel: 'Delete' },
      () => this.deps.api.remove(ls.id),
    );
    if (removed) await this.refresh();
  }

  async recordings(ls: Livestream): Promise<Recording[] | undefined> {
    return (await this.run(() => this.deps.recordings(ls.id)))?.items;
  }

  removeRecording(ls: Livestream, recording: Recording): Promise<boolean> {
    return this.afterConfirming(
      {
        title: 'Delete this recording?',
        message: `The recording of "${ls.name}" from ${new Date(recording.startedAt).toLocaleString()} is deleted for good.`,
        confirmLabel: 'Delete',
      },
      () => this.deps.api.removeRecording(ls.id, recording.id),
    );
  }

  /** Runs an API call; a rejected token ends the session, other errors show and the page goes on. */
  private run<T>(call: () => Promise<T>): Promise<T | undefined> {
    return reportedCall(call, (error) => {
      if (error instanceof ApiError && error.unauthorized) {
        this.stop();
        this.deps.signedOut(WRONG_TOKEN);
      } else this.events.emit('error', error === null ? null : errorMessage(error));
    });
  }

  /** Runs a destructive call once the owner confirms it; true when it was confirmed and succeeded. */
  private async afterConfirming(dialog: Dialog, call: () => Promise<unknown>): Promise<boolean> {
    if (!(await this.deps.confirm({ ...dialog, danger: true }))) return false;
    const done = await this.run(async () => {
      await call();
      return true;
    });
    return done === true;
  }

  private async refresh(): Promise<void> {
    clearTimeout(this.refreshTimer);
    const seq = ++this.refreshSeq;
    const items = await this.run(() => listAll((cursor) => this.deps.api.list(cursor)));
    if (seq !== this.refreshSeq || this.stopped) return;
    if (items) this.events.emit('livestreams', items);
    this.refreshTimer = setTimeout(() => void this.refresh(), REFRESH_MS);
  }

  private stop(): void {
    this.stopped = true;
    clearTimeout(this.refreshTimer);
  }
}
