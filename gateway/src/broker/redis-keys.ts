/**
 * Redis keys of the redis broker. A stream's history and its epoch/offset share a hash tag, so a Redis
 * Cluster keeps them in one slot and one script can change both.
 */
export const redisKeys = {
  history: (stream: string): string => `cableway:history:{${stream}}`,
  position: (stream: string): string => `cableway:history:{${stream}}:position`,
  session: (sid: string): string => `cableway:session:${sid}`,
};
