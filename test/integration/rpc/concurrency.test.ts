import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { waitFor } from '../../support/wait';
import { envFor, rpcFor, type RpcUnderTest } from './harness';

describe('RPC concurrency', () => {
  let server: TestRpcServer;
  let subject: RpcUnderTest;

  beforeEach(async () => {
    server = await startRpcServer();
    subject = rpcFor(server.address, { rpc: { concurrency: 2 } });
  });

  afterEach(async () => {
    await subject.rpc.shutdown(Date.now() + 1000);
    await server.stop();
  });

  test('keeps at most rpc_concurrency calls in flight and counts the others in rpc_pending_num', async () => {
    server.setDelay(200);
    const calls = Array.from({ length: 6 }, (_, i) => subject.rpc.controller.connect(`sid-${i}`, envFor(`username=u${i}`)));

    await waitFor(async () => server.inFlight === 2 && (await subject.metric('rpc_pending_num')) === 4, '2 in flight, 4 pending');
    const results = await Promise.all(calls);

    expect(results.map((result) => result.status)).toEqual(Array(6).fill('SUCCESS'));
    expect(server.peakInFlight).toBe(2);
    expect(await subject.metric('rpc_pending_num')).toBe(0);
  });
});
