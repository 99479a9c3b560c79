import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { isTable, type FileLayer, type OptionTable } from '../../../shared/src/config/options';
import { ConfigError, ErrorCode, errorMessage } from '../../../shared/src/errors';
import { UNSUPPORTED_BY_TOML_KEY, type UnsupportedUse } from './not-supported';

/** Where configuration files are read from; the node's working directory and disk, or a test's stand-in. */
export interface ConfigFiles {
  readonly cwd: string;
  /** The file's text; null when there is no such file. */
  read(file: string): string | null;
}

export const localFiles: ConfigFiles = {
  cwd: process.cwd(),
  read(file) {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new ConfigError(ErrorCode.ConfigBadValue, `cannot read ${file}: ${errorMessage(error)}`);
    }
  },
};

/** Looked up in this order, as anycable-go does, when no --config-path is given. */
export const DEFAULT_CONFIG_PATHS = ['./anycable.toml', '/etc/anycable/anycable.toml'] as const;

/** An anycable.toml read against an options table. */
export interface ConfigFile extends FileLayer {
  /** Keys that are neither options nor known anycable-go keys, in dotted form (`server.hots`). */
  readonly unknownKeys: readonly string[];
  readonly unsupported: readonly UnsupportedUse[];
}

/**
 * The file to read: `--config-path` (or ANYCABLE_CONFIG_PATH), which must exist, else the first default
 * path that exists; none with `--ignore-config-path`. Returns the path and its text.
 */
export function locateConfigFile(
  configPath: string,
  ignore: boolean,
  files: ConfigFiles,
): { readonly path: string; readonly text: string } | null {
  if (ignore) return null;
  if (configPath !== '') {
    const text = files.read(path.resolve(files.cwd, configPath));
    if (text === null) throw new ConfigError(ErrorCode.ConfigBadValue, `--config-path: no file at ${configPath}`);
    return { path: configPath, text };
  }
  for (const candidate of DEFAULT_CONFIG_PATHS) {
    const text = files.read(path.resolve(files.cwd, candidate));
    if (text !== null) return { path: candidate, text };
  }
  return null;
}

/** Parses the file's TOML and maps each key to its option through the table's `toml` places. */
export function readConfigFile(source: string, text: string, table: OptionTable): ConfigFile {
  let document: Record<string, unknown>;
  try {
    document = parse(text) as Record<string, unknown>;
  } catch (error) {
    const where = error instanceof TomlError ? `${source}:${error.line}:${error.column}` : source;
    const detail = errorMessage(error).split('\n')[0];
    throw new ConfigError(ErrorCode.ConfigBadValue, `${where}: not valid TOML: ${detail}`);
  }
  const optionByKey = new Map<string, string>();
  for (const [name, spec] of Object.entries(table)) if (spec.toml) optionByKey.set(spec.toml, name);

  const values = new Map<string, unknown>();
  const unknownKeys: string[] = [];
  const unsupported: UnsupportedUse[] = [];
  const visit = (node: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      const dotted = prefix + key;
      const option = optionByKey.get(dotted);
      const known = UNSUPPORTED_BY_TOML_KEY.get(dotted);
      if (option) values.set(option, value);
      else if (known) unsupported.push({ option: known, source: `${source}: ${dotted}`, value });
      else if (isTable(value)) visit(value, `${dotted}.`);
      else unknownKeys.push(dotted);
    }
  };
  visit(document, '');
  return { source, values, unknownKeys, unsupported };
}
