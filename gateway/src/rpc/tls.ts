import { readFileSync, statSync } from 'node:fs';
import { ConfigError, ErrorCode } from '../../../shared/src/errors';

function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    // PEM contents are no valid path (too long a name, for one).
    return false;
  }
}

/** `--rpc_tls_root_ca` is a file path when such a file exists, else the PEM contents themselves. */
export function rootCaPem(rootCa: string): Buffer {
  const fromFile = isFile(rootCa);
  const pem = fromFile ? readFileSync(rootCa) : Buffer.from(rootCa);
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    const what = fromFile ? `${rootCa} holds no PEM certificate` : 'neither a file nor a PEM certificate';
    throw new ConfigError(ErrorCode.ConfigBadValue, `--rpc_tls_root_ca: ${what}`);
  }
  return pem;
}
