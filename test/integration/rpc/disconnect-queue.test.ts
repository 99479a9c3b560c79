import { status } from '@grpc/grpc-js';
import type { DisconnectRequest } from '../../../gateway/src/core/controller';
import { waitFor } from '../../support/wait';
import { annContext, useRpcServer } from './harness';

function disconnectOf(sid: string): DisconnectRequest {
  return { ...annContext({ sid }), subscriptions: [] };
}

describe('The Disconnect queue against an anycable.RPC server', () => {
  const harness = useRpcServer();

  test('makes Disconnect calls no faster than disconnect_rate', async () => {
    const {
      rpc: { disconnects },
      metric,
    } = harness.rpc({ disconnect: { ratePerSec: 20 } });
    const startedAt = Date.now();

    const made = Array.from({ length: 6 }, (_, i) => disconnects.disconnect(disconnectOf(`sid-${i}`)));
    expect(await metric('disconnect_queue_size')).toBe(6);
    await Promise.all(made);

    // Six calls at one per 50 ms: the last starts 250 ms after the first.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(harness.server.requests.disconnect.map((call) => call.metadata.sid)).toEqual([
      'sid-0',
      'sid-1',
      'sid-2',
      'sid-3',
      'sid-4',
      'sid-5',
    ]);
    expect(await metric('disconnect_queue_size')).toBe(0);
  });

  test('drain makes the waiting calls without the rate limit', async () => {
    const {
      rpc: { disconnects },
    } = harness.rpc({ disconnect: { ratePerSec: 1 } });
    for (let i = 0; i < 5; i += 1) void disconnects.disconnect(disconnectOf(`sid-${i}`));

    await disconnects.drain(Date.now() + 900);

    expect(harness.server.calls.disconnect).toBe(5);
  });

  test('logs a failed Disconnect once and counts it in rpc_error_total', async () => {
    const {
      rpc: { disconnects },
      metric,
      logLines,
    } = harness.rpc({});
    harness.server.failNext('disconnect', 1, status.INTERNAL);

    await disconnects.disconnect(disconnectOf('sid-1'));

    expect(logLines).toEqual([expect.stringMatching(/WRN Disconnect call failed .*sid=sid-1 code=CW_ERR_RPC_FAILED/)]);
    expect(await metric('rpc_error_total')).toBe(1);
  });

  test('shutdown lets a call in flight finish before it closes the channel', async () => {
    const {
      rpc: { controller, disconnects, shutdown },
    } = harness.rpc({});
    harness.server.setDelay(200);
    const connect = controller.connect('sid-1', annContext().env);
    void disconnects.disconnect(disconnectOf('sid-2'));
    await waitFor(() => harness.server.inFlight === 2, 'both calls to reach the app');

    await shutdown(Date.now() + 2000);

    await expect(connect).resolves.toMatchObject({ status: 'SUCCESS' });
    expect(harness.server.calls.disconnect).toBe(1);
  });
});
