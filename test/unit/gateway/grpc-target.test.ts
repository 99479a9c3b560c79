import { ErrorCode } from '../../../shared/src/errors';
import { grpcTarget } from '../../../gateway/src/config/grpc-target';

describe('grpcTarget', () => {
  test.each([
    ['localhost:50051', 'localhost:50051'],
    ['grpc://rails.internal:50051', 'rails.internal:50051'],
    ['dns:///rails.internal:50051', 'dns:///rails.internal:50051'],
    ['grpc-list://a.internal:50051,b.internal:50052', 'grpc-list:///a.internal:50051,b.internal:50052'],
  ])('turns --rpc_host=%s into the target %s', (rpcHost, target) => {
    expect(grpcTarget(rpcHost)).toBe(target);
  });

  test.each(['http://rails.internal/_anycable', 'https://rails.internal/_anycable', 'grpc-list://a:50051,', 'grpc-list://'])(
    'refuses %s as a gRPC target with a config error',
    (rpcHost) => {
      expect(() => grpcTarget(rpcHost)).toThrow(expect.objectContaining({ code: ErrorCode.ConfigBadValue }));
    },
  );
});
