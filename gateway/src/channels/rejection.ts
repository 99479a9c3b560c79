import type { CommandResult } from '../core/controller';
import { rejectFrame } from '../protocol/frames';

/** A subscription refused at the edge: the client gets reject_subscription, the Rails app hears nothing. */
export function subscriptionRejected(identifier: string): CommandResult {
  return {
    status: 'FAILURE',
    disconnect: false,
    stopStreams: false,
    stoppedStreams: [],
    streams: [],
    transmissions: [rejectFrame(identifier)],
    disconnectInterest: false,
  };
}
