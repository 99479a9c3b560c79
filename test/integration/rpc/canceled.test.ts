import { status } from '@grpc/grpc-js';
import { ErrorCode } from '../../../shared/src/errors';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { waitFor } from '../../support/wait';
import { CHAT, annContext, envFor, rpcFor, type RpcUnderTest } from './harness';

describe('RPC calls of a closed session', () => {
  let server: TestRpcServer;
  let subject: RpcUnderTest;

  beforeEach(async () => {
    server = await startRpcServer();
    subject = rpcFor(server.address, { rpc: { concurrency: 1 } });
  });

  afterEach(async () => {
    await subject.rpc.shutdown(Date.now() + 1000);
    await server.stop();
  });

  test('are skipped without reaching the app and counted in rpc_canceled_total', async () => {
    const call = subject.rpc.controller.connect('sid-1', envFor('username=ann'), () => true);

    await expect(call).rejects.toMatchObject({ code: ErrorCode.RpcCanceled });
    expect(server.calls.connect).toBe(0);
    expect(await subject.metric('rpc_canceled_total')).toBe(1);
    expect(await subject.metric('rpc_call_total', { method: 'connect' })).toBe(0);
  });

  test('are skipped when the session closes while they wait for a slot', async () => {
    server.setDelay(200);
    const first = subject.rpc.controller.connect('sid-1', envFor('username=ann'));
    let closed = false;
    const second = subject.rpc.controller.subscribe(annContext({ isCanceled: () => closed }), CHAT);
    await waitFor(async () => (await subject.metric('rpc_pending_num')) === 1, 'the second call to wait');

    closed = true;

    await expect(second).rejects.toMatchObject({ code: ErrorCode.RpcCanceled });
    await expect(first).resolves.toMatchObject({ status: 'SUCCESS' });
    expect(server.calls.command).toBe(0);
  });

  test('are not retried when the session closes after a failed attempt', async () => {
    server.failNext('command', 1, status.UNAVAILABLE);
    let closed = false;
    const call = subject.rpc.controller.perform(annContext({ isCanceled: () => closed }), CHAT, '{"action":"whoami"}');
    await waitFor(() => server.calls.command === 1, 'the first attempt');

    closed = true;

    await expect(call).rejects.toMatchObject({ code: ErrorCode.RpcCanceled });
    expect(server.calls.command).toBe(1);
    expect(await subject.metric('rpc_canceled_total')).toBe(1);
  });
});
