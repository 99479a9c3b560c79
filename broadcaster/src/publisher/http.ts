import { setTimeout as sleep } from 'node:timers/promises';
import { CablewayError, ErrorCode, errorMessage } from '../../../shared/src/errors';
import { reconnectDelay } from '../../../shared/src/redis/backoff';
import type { PublicationSender } from './types';

/** Network failures are retried this many times; an HTTP answer is final. */
const NETWORK_RETRIES = 3;

/** POSTs each publication; only 201 counts as accepted, as in the anycable gem. */
export function createHttpSender(url: string, key: string | null): PublicationSender {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  return {
    async send(raw) {
      for (let attempt = 1; ; attempt += 1) {
        let response: Response;
        try {
          response = await fetch(url, { method: 'POST', headers, body: raw });
        } catch (error) {
          if (attempt <= NETWORK_RETRIES) {
            await sleep(reconnectDelay(attempt));
            continue;
          }
          throw new CablewayError(ErrorCode.BroadcastFailed, `POST ${url} failed: ${errorMessage(error)}`, { cause: error });
        }
        await response.arrayBuffer();
        if (response.status === 201) return;
        throw new CablewayError(ErrorCode.BroadcastFailed, `POST ${url} answered ${response.status}, expected 201`);
      }
    },
    close: () => Promise.resolve(),
  };
}
