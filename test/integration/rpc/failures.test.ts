import { status } from '@grpc/grpc-js';
import { ErrorCode } from '../../../shared/src/errors';
import { freePort } from '../../support/ports';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';
import { annContext, envFor, rpcFor, type RpcSettings, type RpcUnderTest } from './harness';

describe('RPC calls that fail', () => {
  let server: TestRpcServer;
  let subject: RpcUnderTest | undefined;

  beforeEach(async () => {
    server = await startRpcServer();
  });

  afterEach(async () => {
    await subject?.rpc.shutdown(Date.now() + 1000);
    subject = undefined;
    await server.stop();
  });

  function rpc(settings?: RpcSettings): RpcUnderTest {
    subject = rpcFor(server.address, settings);
    return subject;
  }

  test('are retried after ResourceExhausted until the app answers', async () => {
    const { rpc: { controller }, metric } = rpc();
    server.failNext('connect', 3, status.RESOURCE_EXHAUSTED);

    const result = await controller.connect('sid-1', envFor('username=ann'));

    expect(result.status).toBe('SUCCESS');
    expect(server.calls.connect).toBe(4);
    expect(await metric('rpc_retries_total')).toBe(3);
    expect(await metric('rpc_call_total', { method: 'connect' })).toBe(1);
    expect(await metric('rpc_error_total')).toBe(0);
  });

  test('are retried after Unavailable until the app answers', async () => {
    const { rpc: { controller }, metric } = rpc();
    server.failNext('command', 2, status.UNAVAILABLE);

    const result = await controller.perform(annContext(), '{"channel":"ChatChannel","room":"1"}', '{"action":"stop"}');

    expect(result.stopStreams).toBe(true);
    expect(server.calls.command).toBe(3);
    expect(await metric('rpc_retries_total')).toBe(2);
  });

  test('throw CW_ERR_RPC_FAILED within the command budget when every attempt is refused', async () => {
    const { rpc: { controller }, metric } = rpc({ rpc: { commandTimeoutMs: 500 } });
    server.failNext('connect', 1000, status.RESOURCE_EXHAUSTED);
    const startedAt = Date.now();

    await expect(controller.connect('sid-1', envFor('username=ann'))).rejects.toMatchObject({ code: ErrorCode.RpcFailed });

    expect(Date.now() - startedAt).toBeLessThan(500);
    expect(server.calls.connect).toBeGreaterThan(1);
    expect(await metric('rpc_retries_total')).toBe(server.calls.connect - 1);
    expect(await metric('rpc_error_total')).toBe(1);
  });

  test('throw CW_ERR_RPC_FAILED within the command budget when no server listens', async () => {
    subject = rpcFor(`127.0.0.1:${await freePort()}`);
    const { controller } = subject.rpc;
    const startedAt = Date.now();

    const failure = controller.connect('sid-1', envFor('username=ann'));

    await expect(failure).rejects.toMatchObject({ code: ErrorCode.RpcFailed, message: expect.stringContaining('--rpc_host') });
    expect(Date.now() - startedAt).toBeLessThan(3000);
  });

  test('end at the request timeout and are counted in rpc_timeout_total', async () => {
    const { rpc: { controller }, metric } = rpc({ rpc: { requestTimeoutMs: 100 } });
    server.setDelay(1000);

    await expect(controller.connect('sid-1', envFor('username=ann'))).rejects.toMatchObject({ code: ErrorCode.RpcFailed });

    expect(server.calls.connect).toBe(1);
    expect(await metric('rpc_timeout_total')).toBe(1);
    expect(await metric('rpc_error_total')).toBe(1);
  });

  test('are not retried after a gRPC status other than ResourceExhausted and Unavailable', async () => {
    const { rpc: { controller } } = rpc();
    server.failNext('command', 1, status.INTERNAL);

    await expect(controller.subscribe(annContext(), '{"channel":"ChatChannel","room":"1"}')).rejects.toMatchObject({
      code: ErrorCode.RpcFailed,
    });
    expect(server.calls.command).toBe(1);
  });

  test('make a direct Disconnect throw CW_ERR_RPC_FAILED', async () => {
    const { rpc: { controller } } = rpc();
    server.failNext('disconnect', 1, status.INTERNAL);

    await expect(controller.disconnect({ ...annContext(), subscriptions: [] })).rejects.toMatchObject({
      code: ErrorCode.RpcFailed,
    });
  });
});
