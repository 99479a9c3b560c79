import type { ConnectResult } from '../core/controller';
import type { Handshake } from '../core/handshake';

/**
 * One way of identifying a connection without the Rails app. `null` means "not mine": the next identifier
 * in the pipeline, and finally the RPC Connect call, decides. A rejection is a FAILURE result.
 */
export interface Identifier {
  identify(handshake: Handshake): Promise<ConnectResult | null>;
}

/** The frame a locally identified connection gets first. */
export function welcomeFrame(sid: string): string {
  return JSON.stringify({ type: 'welcome', sid });
}
