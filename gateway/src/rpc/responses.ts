import type { CommandResult, ConnectResult, PresenceChange, StateMap, Status } from '../core/controller';
import type * as pb from './proto';

/**
 * The anycable.RPC answers as controller results. Every result marks Disconnect interest: the Rails app
 * took part in this connection, so it must hear of its end.
 */

export function connectResult(response: pb.ConnectionResponse): ConnectResult {
  return {
    status: statusOf(response.status),
    path: 'rpc',
    identifiers: response.identifiers,
    transmissions: response.transmissions,
    cstate: changesOf(response.env?.cstate),
    errorMessage: response.error_msg || undefined,
    disconnectInterest: true,
  };
}

export function commandResult(response: pb.CommandResponse): CommandResult {
  return {
    status: statusOf(response.status),
    disconnect: response.disconnect,
    stopStreams: response.stop_streams,
    stoppedStreams: response.stopped_streams,
    streams: response.streams,
    transmissions: response.transmissions,
    istate: changesOf(response.env?.istate),
    cstate: changesOf(response.env?.cstate),
    errorMessage: response.error_msg || undefined,
    disconnectInterest: true,
    ...presenceOf(response.presence),
  };
}

function presenceOf(presence: pb.PresenceResponse | null): { presence?: PresenceChange } {
  if (!presence || (presence.type !== 'join' && presence.type !== 'leave') || presence.id === '') return {};
  return { presence: { type: presence.type, id: presence.id, ...(presence.info ? { info: jsonText(presence.info) } : {}) } };
}

/** Rails sends the info as JSON; anything else is kept as a JSON string, so frames stay valid. */
function jsonText(text: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    return JSON.stringify(text);
  }
}

/** A status number this proto does not know (a newer server) counts as ERROR: nothing of it is applied. */
function statusOf(status: pb.Status): Status {
  return status === 'SUCCESS' || status === 'FAILURE' ? status : 'ERROR';
}

function changesOf(state: StateMap | undefined): StateMap | undefined {
  return state && Object.keys(state).length > 0 ? state : undefined;
}
