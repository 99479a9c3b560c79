import { createHmac } from 'node:crypto';
import { readCommandLine, type GatewayConfig } from '../../../gateway/src/config/config';
import { ConfigError, ErrorCode } from '../../../shared/src/errors';

function configOf(argv: string[], env: Record<string, string> = {}): GatewayConfig {
  const result = readCommandLine(argv, env);
  if (result.action !== 'run') throw new Error(`expected run, got ${result.action}`);
  return result.config;
}

function errorOf(argv: string[]): unknown {
  try {
    readCommandLine(argv, {});
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('RPC transport configuration', () => {
  it('speaks gRPC without TLS and with the default message sizes by default', () => {
    expect(configOf([]).rpc).toMatchObject({
      requestTimeoutMs: 0,
      transport: { kind: 'grpc', target: 'localhost:50051', tls: null, maxRecvSize: 0, maxSendSize: 0 },
    });
  });

  it('takes grpc-list:// hosts, message sizes and TLS for gRPC', () => {
    const config = configOf([
      '--rpc_host=grpc-list://a:50051,b:50051',
      '--rpc_max_call_recv_size=1024',
      '--rpc_max_call_send_size=2048',
      '--rpc_enable_tls',
      '--rpc_tls_verify=false',
    ]);
    expect(config.rpc.transport).toEqual({
      kind: 'grpc',
      target: 'grpc-list:///a:50051,b:50051',
      tls: { rootCa: null, verify: false },
      maxRecvSize: 1024,
      maxSendSize: 2048,
    });
  });

  it('turns TLS on when a root CA is given, as anycable-go does', () => {
    const config = configOf(['--rpc_tls_root_ca=/etc/ssl/rails-ca.pem']);
    expect(config.rpc.transport.tls).toEqual({ rootCa: '/etc/ssl/rails-ca.pem', verify: true });
  });

  it('selects HTTP for http(s):// hosts, with the Bearer token given', () => {
    const config = configOf(['--rpc_host=https://rails.internal/_anycable', '--http_rpc_secret=s3cret']);
    expect(config.rpc.transport).toEqual({
      kind: 'http',
      url: new URL('https://rails.internal/_anycable'),
      secret: 's3cret',
      tls: null,
    });
  });

  it('derives the HTTP token from --secret when none is given, and sends none without either', () => {
    const derived = createHmac('sha256', 'app-secret').update('rpc-cable').digest('hex');
    const withSecret = configOf(['--rpc_host=http://rails/_anycable', '--secret=app-secret']);
    expect(withSecret.rpc.transport).toMatchObject({ kind: 'http', secret: derived });
    const fromEnv = configOf([], { ANYCABLE_RPC_HOST: 'http://rails/_anycable', ANYCABLE_SECRET: 'app-secret' });
    expect(fromEnv.rpc.transport).toMatchObject({ secret: derived });
    expect(configOf(['--rpc_host=http://rails/_anycable']).rpc.transport).toMatchObject({ secret: '' });
  });

  it('gives HTTP requests a deadline: --http_rpc_timeout, else --rpc_request_timeout, else 3000 ms', () => {
    const host = '--rpc_host=http://rails/_anycable';
    expect(configOf([host]).rpc.requestTimeoutMs).toBe(3000);
    expect(configOf([host, '--rpc_request_timeout=1500']).rpc.requestTimeoutMs).toBe(1500);
    expect(configOf([host, '--rpc_request_timeout=1500', '--http_rpc_timeout=700']).rpc.requestTimeoutMs).toBe(700);
    expect(configOf(['--http_rpc_timeout=700']).rpc.requestTimeoutMs).toBe(0);
  });

  it('follows --rpc_impl over the scheme', () => {
    expect(configOf(['--rpc_impl=http', '--rpc_host=http://rails/_anycable']).rpc.transport.kind).toBe('http');
    expect(errorOf(['--rpc_impl=http', '--rpc_host=localhost:50051'])).toEqual(
      expect.objectContaining({ code: ErrorCode.ConfigBadValue, message: expect.stringContaining('http(s)://') }),
    );
    expect(errorOf(['--rpc_impl=grpc', '--rpc_host=http://rails/_anycable'])).toBeInstanceOf(ConfigError);
    expect(errorOf(['--rpc_impl=none'])).toEqual(expect.objectContaining({ code: ErrorCode.ConfigBadValue }));
  });
});

describe('TLS listener configuration', () => {
  it('is off by default and on with a certificate and its key', () => {
    expect(configOf([]).server.tls).toBeNull();
    expect(configOf(['--ssl_cert=/tls/cert.pem', '--ssl_key=/tls/key.pem']).server.tls).toEqual({
      certPath: '/tls/cert.pem',
      keyPath: '/tls/key.pem',
    });
  });

  it('refuses a certificate without its key, and a key without its certificate', () => {
    expect(errorOf(['--ssl_cert=/tls/cert.pem'])).toEqual(
      expect.objectContaining({ code: ErrorCode.ConfigBadValue, message: expect.stringContaining('--ssl_key') }),
    );
    expect(errorOf(['--ssl_key=/tls/key.pem'])).toEqual(
      expect.objectContaining({ code: ErrorCode.ConfigBadValue, message: expect.stringContaining('--ssl_cert') }),
    );
  });
});
