import { ErrorCode } from '../../../shared/src/errors';
import { grpcTarget } from '../../../gateway/src/config/grpc-target';
import { envFor, useRpcServer } from './harness';

describe('--rpc_max_call_recv_size and --rpc_max_call_send_size', () => {
  const fixture = useRpcServer();

  function rpcWithSizes(maxRecvSize: number, maxSendSize: number) {
    const transport = { kind: 'grpc' as const, target: grpcTarget(fixture.server.address), tls: null, maxRecvSize, maxSendSize };
    return fixture.rpc({ rpc: { transport, commandTimeoutMs: 300 } }).rpc;
  }

  it('lets calls within both limits through', async () => {
    const result = await rpcWithSizes(4096, 4096).controller.connect('sid-1', envFor('username=ann'));
    expect(result.status).toBe('SUCCESS');
  });

  it('fails a call whose answer is larger than the receive limit', async () => {
    await expect(rpcWithSizes(16, 0).controller.connect('sid-2', envFor('username=ann'))).rejects.toMatchObject({
      code: ErrorCode.RpcFailed,
      message: expect.stringMatching(/larger than max/i),
    });
  });

  it('fails a call whose request is larger than the send limit, before it reaches the server', async () => {
    await expect(rpcWithSizes(0, 16).controller.connect('sid-3', envFor(`username=${'x'.repeat(64)}`))).rejects.toMatchObject({
      code: ErrorCode.RpcFailed,
    });
    expect(fixture.server.calls.connect).toBe(0);
  });
});
