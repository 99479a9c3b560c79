/** The Action Cable sub-protocols a session can speak; each has its own encoding of broadcasts. */
export type ProtocolName = 'actioncable-v1-json' | 'actioncable-v1-ext-json';

/** What a session speaks when the client offered no protocol this server knows. */
export const DEFAULT_PROTOCOL: ProtocolName = 'actioncable-v1-json';

/** The extended protocol: positioned broadcasts, history, resumable sessions, presence. */
export const EXTENDED_PROTOCOL: ProtocolName = 'actioncable-v1-ext-json';
