import { EXTENDED_PROTOCOLS, pubsubIdentifier, rawClient, type RawClient } from './clients';
import { postBroadcast, type GatewayProcess } from './gateway';

/** Where a dropped session stood on its stream, and the client that came back with its sid. */
export interface RestoredSession {
  readonly client: RawClient;
  readonly position: { readonly epoch: unknown; readonly offset: unknown };
}

/**
 * An extended-protocol client subscribes to `stream`, gets one broadcast, loses its socket (no close
 * frame), misses `{n}` for each of `missed`, and reconnects with its sid: restored, its history not yet asked.
 */
export async function restoredAfterDrop(
  gateway: GatewayProcess,
  stream: string,
  missed: readonly number[],
): Promise<RestoredSession> {
  const first = await rawClient(gateway.url, { protocols: EXTENDED_PROTOCOLS });
  const sid = (await first.welcome()).sid as string;
  first.send({ command: 'subscribe', identifier: pubsubIdentifier(stream) });
  await first.next((frame) => frame.type === 'confirm_subscription', 'confirmation');
  await postBroadcast(gateway.broadcastUrl, { stream, data: '{"n":0}' });
  const broadcast = await first.next((frame) => frame.message !== undefined, 'the first broadcast');
  first.ws.terminate();
  await first.closed;
  await postBroadcast(
    gateway.broadcastUrl,
    missed.map((n) => ({ stream, data: JSON.stringify({ n }) })),
  );
  const client = await rawClient(`${gateway.url}?sid=${sid}`, { protocols: EXTENDED_PROTOCOLS });
  const welcome = await client.welcome();
  if (welcome.restored !== true) throw new Error(`the session of ${stream} was not restored`);
  return { client, position: { epoch: broadcast.epoch, offset: broadcast.offset } };
}
