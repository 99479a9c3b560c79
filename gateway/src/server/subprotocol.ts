import type { ProtocolName } from '../core/protocol';

/** Sub-protocols this server speaks, in its order of preference. */
export const SUPPORTED_PROTOCOLS: readonly ProtocolName[] = ['actioncable-v1-json', 'actioncable-v1-ext-json'];

export function offeredProtocols(header: string): string[] {
  return header
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol !== '');
}

/** The server's first protocol the client offered; undefined when none (the session then speaks v1-json). */
export function negotiateProtocol(offered: readonly string[]): ProtocolName | undefined {
  return SUPPORTED_PROTOCOLS.find((protocol) => offered.includes(protocol));
}
