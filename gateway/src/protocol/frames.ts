/**
 * Frames the server builds itself. Key order follows anycable-go's (type, identifier, message, reason,
 * reconnect), so clients matching on raw text see what they see today.
 */
export type DisconnectReason = 'unauthorized' | 'token_expired' | 'server_restart' | 'remote' | 'too_slow' | 'no_pong';

export const DISCONNECT_RECONNECTS: Readonly<Record<DisconnectReason, boolean>> = {
  unauthorized: false,
  token_expired: false,
  server_restart: true,
  remote: true,
  too_slow: true,
  no_pong: true,
};

export function disconnectFrame(reason: DisconnectReason, reconnect = DISCONNECT_RECONNECTS[reason]): string {
  return `{"type":"disconnect","reason":"${reason}","reconnect":${reconnect}}`;
}

export function confirmFrame(identifier: string): string {
  return `{"type":"confirm_subscription","identifier":${JSON.stringify(identifier)}}`;
}

export function rejectFrame(identifier: string): string {
  return `{"type":"reject_subscription","identifier":${JSON.stringify(identifier)}}`;
}

export function confirmHistoryFrame(identifier: string): string {
  return `{"type":"confirm_history","identifier":${JSON.stringify(identifier)}}`;
}

export function rejectHistoryFrame(identifier: string): string {
  return `{"type":"reject_history","identifier":${JSON.stringify(identifier)}}`;
}

/** The welcome of a restored extended-protocol session: its new sid and the identifiers it is subscribed to. */
export function restoredWelcomeFrame(sid: string, identifiers: readonly string[]): string {
  return `{"type":"welcome","sid":${JSON.stringify(sid)},"restored":true,"restored_ids":${JSON.stringify(identifiers)}}`;
}

/** A presence member as anycable-go encodes it: info (JSON text, left out when none or empty), then id. */
function presenceMember(id: string, info: string | undefined): string {
  return info ? `{"info":${info},"id":${JSON.stringify(id)}}` : `{"id":${JSON.stringify(id)}}`;
}

/** The data of a presence event broadcast: `{"type":"join","info":…,"id":…}` or `{"type":"leave","id":…}`. */
export function presenceEventData(type: 'join' | 'leave', id: string, info?: string): string {
  return `{"type":"${type}",${presenceMember(id, info).slice(1)}`;
}

/** The answer to a presence command: the stream's members and how many there are. */
export function presenceInfoFrame(identifier: string, records: ReadonlyArray<{ id: string; info?: string }>): string {
  const members = records.map((record) => presenceMember(record.id, record.info)).join(',');
  const list = records.length > 0 ? `,"records":[${members}]` : '';
  return `{"type":"presence","identifier":${JSON.stringify(identifier)},"message":{"type":"info","total":${records.length}${list}}}`;
}

/** The answer to a presence command that could not be served. */
export function presenceErrorFrame(identifier: string): string {
  return `{"type":"presence","identifier":${JSON.stringify(identifier)},"message":{"type":"error","total":0}}`;
}

export const PONG_FRAME = '{"type":"pong"}';

export function pingFrame(timestamp: string): string {
  return `{"type":"ping","message":${timestamp}}`;
}

/** WebSocket close codes and reasons, as anycable-go sends them. */
export const Close = {
  normal: { code: 1000, reason: '' },
  authFailed: { code: 1000, reason: 'Auth Failed' },
  remote: { code: 1000, reason: 'Closed remotely' },
  serverRestart: { code: 1001, reason: 'Server restart' },
  noPong: { code: 1000, reason: 'No Pong' },
  commandFailed: { code: 1006, reason: 'Command Failed' },
  messageTooBig: { code: 1009, reason: 'Message too big' },
  authError: { code: 1011, reason: 'Auth Error' },
} as const;

export type CloseSpec = (typeof Close)[keyof typeof Close];
