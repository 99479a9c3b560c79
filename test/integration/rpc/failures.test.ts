import { status } from '@grpc/grpc-js';
import { ErrorCode } from '../../../shared/src/errors';
import { freePort } from '../../support/ports';
import { annContext, envFor, rpcFor, useRpcServer } from './harness';

describe('RPC calls that fail', () => {
  const harness = useRpcServer();

  test('are retried after ResourceExhausted until the app answers', async () => {
    const {
      rpc: { controller },
      metric,
    } = harness.rpc();
    harness.server.failNext('connect', 3, status.RESOURCE_EXHAUSTED);

    const result = await controller.connect('sid-1', envFor('username=ann'));

    expect(result.status).toBe('SUCCESS');
    expect(harness.server.calls.connect).toBe(4);
    expect(await metric('rpc_retries_total')).toBe(3);
    expect(await metric('rpc_call_total', { method: 'connect' })).toBe(1);
    expect(await metric('rpc_error_total')).toBe(0);
  });

  test('are retried after Unavailable until the app answers', async () => {
    const {
      rpc: { controller },
      metric,
    } = harness.rpc();
    harness.server.failNext('command', 2, status.UNAVAILABLE);

    const result = await controller.perform(annContext(), '{"channel":"ChatChannel","room":"1"}', '{"action":"stop"}');

    expect(result.stopStreams).toBe(true);
    expect(harness.server.calls.command).toBe(3);
    expect(await metric('rpc_retries_total')).toBe(2);
  });

  test('throw CW_ERR_RPC_FAILED within the command budget when every attempt is refused', async () => {
    const {
      rpc: { controller },
      metric,
    } = harness.rpc({ rpc: { commandTimeoutMs: 500 } });
    harness.server.failNext('connect', 1000, status.RESOURCE_EXHAUSTED);
    const startedAt = Date.now();

    await expect(controller.connect('sid-1', envFor('username=ann'))).rejects.toMatchObject({ code: ErrorCode.RpcFailed });

    expect(Date.now() - startedAt).toBeLessThan(500);
    expect(harness.server.calls.connect).toBeGreaterThan(1);
    expect(await metric('rpc_retries_total')).toBe(harness.server.calls.connect - 1);
    expect(await metric('rpc_error_total')).toBe(1);
  });

  test('throw CW_ERR_RPC_FAILED within the command budget when no server listens', async () => {
    const unreachable = rpcFor(`127.0.0.1:${await freePort()}`);
    const startedAt = Date.now();

    const failure = unreachable.rpc.controller.connect('sid-1', envFor('username=ann'));

    await expect(failure).rejects.toMatchObject({ code: ErrorCode.RpcFailed, message: expect.stringContaining('--rpc_host') });
    expect(Date.now() - startedAt).toBeLessThan(3000);
    await unreachable.rpc.shutdown(Date.now() + 1000);
  });

  test('end at the request timeout and are counted in rpc_timeout_total', async () => {
    const {
      rpc: { controller },
      metric,
    } = harness.rpc({ rpc: { requestTimeoutMs: 100 } });
    harness.server.setDelay(1000);

    await expect(controller.connect('sid-1', envFor('username=ann'))).rejects.toMatchObject({ code: ErrorCode.RpcFailed });

    expect(harness.server.calls.connect).toBe(1);
    expect(await metric('rpc_timeout_total')).toBe(1);
    expect(await metric('rpc_error_total')).toBe(1);
  });

  test('are not retried after a gRPC status other than ResourceExhausted and Unavailable', async () => {
    const {
      rpc: { controller },
    } = harness.rpc();
    harness.server.failNext('command', 1, status.INTERNAL);

    await expect(controller.subscribe(annContext(), '{"channel":"ChatChannel","room":"1"}')).rejects.toMatchObject({
      code: ErrorCode.RpcFailed,
    });
    expect(harness.server.calls.command).toBe(1);
  });

  test('make a direct Disconnect throw CW_ERR_RPC_FAILED', async () => {
    const {
      rpc: { controller },
    } = harness.rpc();
    harness.server.failNext('disconnect', 1, status.INTERNAL);

    await expect(controller.disconnect({ ...annContext(), subscriptions: [] })).rejects.toMatchObject({
      code: ErrorCode.RpcFailed,
    });
  });
});
