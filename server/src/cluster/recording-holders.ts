import type { FinishedRecording, RecordingRepository } from '../store/recording-repository.js';
import type { NodeRegistry } from './node-registry.js';

/** Where a recording's files are: on this node's disk, on another live node (reached at its URL), or on a node that is down. */
export type RecordingHolder = { at: 'here' } | { at: 'node'; url: string } | { at: 'down' };

const HERE: RecordingHolder = { at: 'here' };
const DOWN: RecordingHolder = { at: 'down' };

/**
 * A recording's files stay on the disk of the node that recorded it (recordings.node_id): other nodes
 * reach them, to serve or delete them, through that node while its heartbeat is current.
 */
export class RecordingHolders {
  constructor(
    private readonly recordings: Pick<RecordingRepository, 'getFinished'>,
    private readonly nodes: Pick<NodeRegistry, 'urlOf'>,
    private readonly selfId: string,
  ) {}

  /** The holder of a finished recording; undefined when there is none with this id. */
  async find(livestreamId: string, recordingId: string): Promise<RecordingHolder | undefined> {
    const rec = await this.recordings.getFinished(livestreamId, recordingId);
    return rec && this.of(rec);
  }

  /** Rows without a node predate clusters or were made embedded: their files can only be here. */
  private async of(rec: Pick<FinishedRecording, 'nodeId'>): Promise<RecordingHolder> {
    if (rec.nodeId === null || rec.nodeId === this.selfId) return HERE;
    const url = await this.nodes.urlOf(rec.nodeId);
    return url === undefined ? DOWN : { at: 'node', url };
  }
}
