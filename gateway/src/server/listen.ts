import { CablewayError, ErrorCode } from '../../../shared/src/errors';
import { nativeUws, type TemplatedApp, type us_listen_socket } from './uws';

/** uWS's listen with host and options; the 20.30 typings only declare the form without a host. */
type ListenWithHost = (
  host: string,
  port: number,
  options: number,
  callback: (socket: us_listen_socket | false) => void,
) => TemplatedApp;

export function listenFailed(host: string, port: number): CablewayError {
  return new CablewayError(ErrorCode.ListenFailed, `cannot listen on ${host}:${port} (is the port taken?)`);
}

/**
 * Listens on host:port. Exclusive: with the default SO_REUSEPORT a second process on the same port would
 * silently take half the connections, so a taken port is an error unless sharing is asked for.
 */
export function listen(app: TemplatedApp, host: string, port: number, shared: boolean): Promise<us_listen_socket> {
  const uWS = nativeUws();
  const options = shared ? 0 : uWS.LIBUS_LISTEN_EXCLUSIVE_PORT;
  return new Promise((resolve, reject) => {
    (app.listen as unknown as ListenWithHost)(host, port, options, (socket) => {
      if (socket) resolve(socket);
      else reject(listenFailed(host, port));
    });
  });
}

export function stopListening(socket: us_listen_socket): void {
  nativeUws().us_listen_socket_close(socket);
}
