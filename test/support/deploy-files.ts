import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { readCommandLine, type GatewayConfig } from '../../gateway/src/config/config';
import { gatewayOptions } from '../../gateway/src/config/options';
import { envNameOf } from '../../shared/src/config/options';

/** The repository's root, and its deploy/ folder. */
export const ROOT = path.resolve(__dirname, '../..');
export const DEPLOY = path.join(ROOT, 'deploy');

export function readRepoFile(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8');
}

/** Every document of a YAML stream (kustomize and docker-compose output, manifests), as plain values. */
export function parseYamlDocuments(text: string): unknown[] {
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new Error(document.errors.map((error) => error.message).join('\n'));
    return document.toJS() as unknown;
  });
}

const KNOWN_VARIABLES = new Set(
  Object.entries(gatewayOptions).flatMap(([name, spec]) => [envNameOf(name), ...((spec as { env?: string[] }).env ?? [])]),
);

/** `ANYCABLE_*` names in `env` that no option reads. */
export function unknownVariables(env: Readonly<Record<string, string>>): string[] {
  return Object.keys(env).filter((name) => name.startsWith('ANYCABLE_') && !KNOWN_VARIABLES.has(name));
}

/** The configuration a node builds from `env` alone, through the node's own parser (throws on a bad value). */
export function configFromEnv(env: Readonly<Record<string, string>>): GatewayConfig {
  const commandLine = readCommandLine([], env);
  if (commandLine.action !== 'run') throw new Error(`unexpected action ${commandLine.action}`);
  return commandLine.config;
}
