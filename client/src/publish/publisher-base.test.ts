import { describe, expect, it } from 'vitest';
import { PublishError, type PublisherState, type PublishRequest } from './publisher.js';
import { PublisherBase } from './publisher-base.js';
import { connectionLost } from './publish-failure.js';

/** A protocol whose negotiation the test finishes or breaks by hand. */
class TestPublisher extends PublisherBase {
  readonly log: string[] = [];
  private finish: (() => void) | undefined;
  private breakOff: ((error: unknown) => void) | undefined;

  readonly states: PublisherState[] = [];
  readonly failures: PublishError[] = [];
  readonly serverEnds: string[] = [];

  constructor() {
    super();
    this.events.on('state', (state) => this.states.push(state));
    this.events.on('failed', (error) => this.failures.push(error));
    this.events.on('endedByServer', (reason) => this.serverEnds.push(reason));
  }

  negotiated(): void {
    this.finish?.();
  }

  broken(error: unknown): void {
    this.breakOff?.(error);
  }

  connectionWent(): void {
    this.fail(connectionLost());
  }

  serverSaid(state: 'live' | 'ended', reason = ''): void {
    if (state === 'ended') this.endedByServer(reason);
    else this.setState(state);
  }

  async replaceTrack(): Promise<void> {
    this.log.push('replaceTrack');
  }

  protected negotiate(): Promise<void> {
    this.log.push('negotiate');
    return new Promise((resolve, reject) => {
      this.finish = resolve;
      this.breakOff = reject;
    });
  }

  protected async statsReports(): Promise<RTCStatsReport[]> {
    const report = (entries: Array<[string, object]>) => new Map(entries) as unknown as RTCStatsReport;
    return [report([['a', { id: 'a' }]]), report([['b', { id: 'b' }], ['c', { id: 'c' }]])];
  }

  protected async sayGoodbye(): Promise<void> {
    this.log.push('goodbye');
  }

  protected release(): void {
    this.log.push('release');
  }
}

const request = {} as PublishRequest;

async function started(): Promise<TestPublisher> {
  const publisher = new TestPublisher();
  const starting = publisher.start(request);
  publisher.negotiated();
  await starting;
  return publisher;
}

describe('PublisherBase', () => {
  it('goes from connecting to starting once negotiated, then live when the server says so', async () => {
    const publisher = await started();
    publisher.serverSaid('live');
    expect(publisher.states).toEqual(['connecting', 'starting', 'live']);
    await expect(publisher.start(request)).rejects.toThrow('a publisher starts once');
  });

  it('keeps a state the server announced during the negotiation', async () => {
    const publisher = new TestPublisher();
    const starting = publisher.start(request);
    publisher.serverSaid('live');
    publisher.negotiated();
    await starting;
    expect(publisher.states).toEqual(['connecting', 'live']);
  });

  it('rejects start with the negotiation failure, releases everything and ends', async () => {
    const publisher = new TestPublisher();
    const starting = publisher.start(request);
    publisher.broken(new Error('wrong stream key'));
    await expect(starting).rejects.toMatchObject({ kind: 'rejected', message: 'wrong stream key' });
    expect(publisher.state).toBe('ended');
    expect(publisher.log).toEqual(['negotiate', 'release']);
    expect(publisher.failures).toEqual([]);
  });

  it('rejects start as cancelled when end came during the negotiation', async () => {
    const publisher = new TestPublisher();
    const starting = publisher.start(request);
    await publisher.end();
    publisher.broken(connectionLost());
    await expect(starting).rejects.toMatchObject({ kind: 'cancelled' });
    expect(publisher.log).toEqual(['negotiate', 'goodbye', 'release', 'release']);
    expect(publisher.states).toEqual(['connecting', 'ended']);
  });

  it('reports a lost connection after the start once, and ends', async () => {
    const publisher = await started();
    publisher.connectionWent();
    publisher.connectionWent();
    expect(publisher.failures.map((f) => f.kind)).toEqual(['connection_lost']);
    expect(publisher.state).toBe('ended');
  });

  it('leaves a lost connection before the start to start itself', async () => {
    const publisher = new TestPublisher();
    const starting = publisher.start(request);
    publisher.connectionWent();
    expect(publisher.failures).toEqual([]);
    publisher.broken(connectionLost());
    await expect(starting).rejects.toMatchObject({ kind: 'connection_lost' });
  });

  it('passes the server end on with its reason, but not after end was called', async () => {
    const publisher = await started();
    publisher.serverSaid('ended', 'the stream key was rotated');
    expect(publisher.serverEnds).toEqual(['the stream key was rotated']);
    expect(publisher.state).toBe('ended');

    const ending = await started();
    const end = ending.end();
    ending.serverSaid('ended', 'the publisher ended it');
    await end;
    expect(ending.serverEnds).toEqual([]);
  });

  it('says goodbye once however often end is called, and ignores failures after it', async () => {
    const publisher = await started();
    await Promise.all([publisher.end(), publisher.end()]);
    publisher.connectionWent();
    expect(publisher.log.filter((entry) => entry === 'goodbye')).toHaveLength(1);
    expect(publisher.failures).toEqual([]);
    expect(publisher.states.at(-1)).toBe('ended');
  });

  it('flattens the statistics of every sender', async () => {
    const publisher = await started();
    expect((await publisher.getStats()).map((s) => s.id)).toEqual(['a', 'b', 'c']);
  });

  it('wraps a failure that is no PublishError as the refusal it is', async () => {
    const publisher = new TestPublisher();
    const starting = publisher.start(request);
    publisher.broken('no media');
    const failure = await starting.catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PublishError);
    expect(failure).toMatchObject({ kind: 'rejected', message: 'no media' });
  });
});
