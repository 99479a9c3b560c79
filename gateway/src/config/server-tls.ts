import { ConfigError, ErrorCode } from '../../../shared/src/errors';
import type { GatewayOptionValues } from './options';

/** The certificate of the TLS listener: clients then connect over wss:// and https://. */
export interface ServerTlsConfig {
  readonly certPath: string;
  readonly keyPath: string;
}

/** Both files or neither: one without the other is refused rather than served as plain text. */
export function resolveServerTls(v: Pick<GatewayOptionValues, 'ssl_cert' | 'ssl_key'>): ServerTlsConfig | null {
  if (v.ssl_cert === '' && v.ssl_key === '') return null;
  if (v.ssl_cert === '' || v.ssl_key === '') {
    const missing = v.ssl_cert === '' ? '--ssl_cert' : '--ssl_key';
    throw new ConfigError(ErrorCode.ConfigBadValue, `${missing} is required too: TLS needs both --ssl_cert and --ssl_key`);
  }
  return { certPath: v.ssl_cert, keyPath: v.ssl_key };
}
