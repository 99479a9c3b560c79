import { Client, Metadata, credentials } from '@grpc/grpc-js';
import { rpcServiceDefinition, type ConnectionRequest, type ConnectionResponse } from '../../../gateway/src/rpc/proto';
import { startRpcServer, type TestRpcServer } from '../../support/rpc-server';

describe('The test RPC server', () => {
  let server: TestRpcServer;
  let client: Client;

  beforeEach(async () => {
    server = await startRpcServer();
    client = new Client(server.address, credentials.createInsecure());
  });

  afterEach(async () => {
    client.close();
    await server.stop();
  });

  function connect(metadata: Metadata): Promise<ConnectionResponse> {
    const { Connect } = rpcServiceDefinition();
    const request: ConnectionRequest = { env: { url: 'http://localhost/cable', headers: { cookie: 'username=ann' } } };
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(
        Connect.path,
        Connect.requestSerialize,
        Connect.responseDeserialize,
        request,
        metadata,
        (error, response) => (error ? reject(error) : resolve(response!)),
      );
    });
  }

  test('answers ERROR to a client that does not speak protocol v1, as the Ruby server does', async () => {
    const metadata = new Metadata();
    metadata.set('sid', 'sid-1');

    await expect(connect(metadata)).resolves.toMatchObject({ status: 'ERROR', error_msg: 'Incompatible AnyCable RPC client' });
  });

  test('accepts v1 among the protocol versions a client lists', async () => {
    const metadata = new Metadata();
    metadata.set('sid', 'sid-1');
    metadata.set('protov', 'v1,v2');

    await expect(connect(metadata)).resolves.toMatchObject({ status: 'SUCCESS' });
  });
});
