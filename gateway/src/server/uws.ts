import * as uWS from 'uWebSockets.js';
import { CablewayError, ErrorCode } from '../../../shared/src/errors';

export type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, WebSocketBehavior, us_listen_socket } from 'uWebSockets.js';

/** An app's close(): every socket, listening or connected, closed at once; left out of the 20.30 typings. */
export type ClosableApp = uWS.TemplatedApp & { close(): void };

/** The native module; its 20.30 typings leave out the listen option constant it exports. */
export type NativeUws = typeof uWS & { readonly LIBUS_LISTEN_EXCLUSIVE_PORT: number };

/**
 * uWebSockets.js, refusing its JavaScript fallback: the npm build quietly falls back to a stub whose
 * publish throws when its native binary does not fit this Node.js (binaries exist for Node 16, 18, 20).
 */
export function nativeUws(): NativeUws {
  if (!('LIBUS_LISTEN_EXCLUSIVE_PORT' in uWS)) {
    throw new CablewayError(
      ErrorCode.UwsNativeMissing,
      `uWebSockets.js has no native binary for Node.js ${process.version} (${process.platform}-${process.arch}); run Cableway on Node.js 20`,
    );
  }
  return uWS as NativeUws;
}
