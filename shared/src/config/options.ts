import { ConfigError, ErrorCode } from '../errors';

/**
 * One row of an options table. Every option is a `--flag` (underscores and dashes are interchangeable)
 * and an `ANYCABLE_<FLAG>` environment variable; `env` names further variables read after that one.
 */
interface OptionBase {
  readonly help: string;
  readonly category: string;
  readonly env?: readonly string[];
  /** Kept for compatibility with older anycable-go releases; its replacement is named in the help. */
  readonly deprecated?: boolean;
  /** Its place in anycable.toml: `key` at the top level, `section.key` in `[section]` (none: not read from a file). */
  readonly toml?: string;
}

export interface StringOption extends OptionBase {
  readonly type: 'string';
  readonly default: string;
  /** Printed by --help and --print-config as `***`. */
  readonly secret?: boolean;
}

export interface IntegerOption extends OptionBase {
  readonly type: 'integer';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
}

export interface BooleanOption extends OptionBase {
  readonly type: 'boolean';
  readonly default: boolean;
  /** Written in the file as one of two words (anycable's `implementation = "none"` for --norpc); other words mean false. */
  readonly tomlWords?: { readonly true: string; readonly false: string };
}

export interface ListOption extends OptionBase {
  readonly type: 'list';
  readonly default: readonly string[];
  readonly choices?: readonly string[];
}

export interface EnumOption<C extends string = string> extends OptionBase {
  readonly type: 'enum';
  readonly choices: readonly C[];
  readonly default: C;
}

/** `key:value,key2:value2` on the command line, a table in the file. */
export interface MapOption extends OptionBase {
  readonly type: 'map';
  readonly default: Readonly<Record<string, string>>;
}

export type OptionSpec = StringOption | IntegerOption | BooleanOption | ListOption | EnumOption | MapOption;
export type OptionTable = Readonly<Record<string, OptionSpec>>;

type ValueOf<S extends OptionSpec> = S extends StringOption
  ? string
  : S extends IntegerOption
    ? number
    : S extends BooleanOption
      ? boolean
      : S extends ListOption
        ? readonly string[]
        : S extends EnumOption<infer C>
          ? C
          : S extends MapOption
            ? Readonly<Record<string, string>>
            : never;

export type OptionValues<T extends OptionTable> = { readonly [K in keyof T]: ValueOf<T[K]> };

export interface ParsedOptions<T extends OptionTable> {
  readonly values: OptionValues<T>;
  /** Names set on the command line, in the environment or in the file (not left at their default). */
  readonly explicit: ReadonlySet<keyof T & string>;
  /** Standalone flags such as --help that are not options. */
  readonly actions: ReadonlySet<string>;
  /** Flags named in `ParseLayers.unsupported` that were given, for the caller to answer. */
  readonly unsupported: readonly UnsupportedFlag[];
}

/** A flag that is known but not an option of the table, as given. */
export interface UnsupportedFlag {
  readonly name: string;
  readonly source: string;
  readonly raw: string;
}

/** Option values read from a configuration file, keyed by option name, as the file typed them. */
export interface FileLayer {
  readonly source: string;
  readonly values: ReadonlyMap<string, unknown>;
}

export interface ParseLayers {
  /** Below the environment, above the defaults. */
  readonly file?: FileLayer;
  /** Flags that are recognised but not options; the value says whether the flag takes a value. */
  readonly unsupported?: ReadonlyMap<string, { readonly takesValue: boolean }>;
}

export function envNameOf(option: string): string {
  return `ANYCABLE_${option.toUpperCase()}`;
}

/** Flag names compare with dashes as underscores, case-insensitively. */
export function normalizeName(flag: string): string {
  return flag.replace(/-/g, '_').toLowerCase();
}

function badValue(source: string, expected: string, raw: unknown): ConfigError {
  return new ConfigError(ErrorCode.ConfigBadValue, `${source}: expected ${expected}, got ${JSON.stringify(raw)}`);
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 't']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'f', '']);

/** The boolean a command-line or environment word stands for; null when it is not one. */
export function booleanWord(raw: string): boolean | null {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return null;
}

type Value = string | number | boolean | readonly string[] | Readonly<Record<string, string>>;

function checkInteger(spec: IntegerOption, value: number, source: string, raw: unknown): number {
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
    throw badValue(source, `an integer in [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}]`, raw);
  }
  return value;
}

function checkList(spec: ListOption, items: readonly string[], source: string, raw: unknown): readonly string[] {
  const unknown = spec.choices ? items.filter((item) => !spec.choices!.includes(item)) : [];
  if (unknown.length > 0) throw badValue(source, `a list of ${spec.choices!.join(', ')}`, raw);
  return items;
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function convert(spec: OptionSpec, raw: string, source: string): Value {
  switch (spec.type) {
    case 'string':
      return raw;
    case 'integer': {
      const value = Number(raw.trim());
      if (raw.trim() === '' || !Number.isInteger(value)) throw badValue(source, 'an integer', raw);
      return checkInteger(spec, value, source, raw);
    }
    case 'boolean': {
      const value = booleanWord(raw);
      if (value === null) throw badValue(source, 'true or false', raw);
      return value;
    }
    case 'list':
      return checkList(spec, splitList(raw), source, raw);
    case 'enum':
      if (!spec.choices.includes(raw)) throw badValue(source, `one of ${spec.choices.join(', ')}`, raw);
      return raw;
    case 'map': {
      const pairs = splitList(raw).map((pair) => {
        const colon = pair.indexOf(':');
        if (colon <= 0) throw badValue(source, 'key:value,...', raw);
        return [pair.slice(0, colon).trim(), pair.slice(colon + 1).trim()] as const;
      });
      return Object.fromEntries(pairs);
    }
  }
}

/** A TOML table as parsed: a plain object (not an array, a date or a class instance). */
export function isTable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}

/** A value as TOML typed it; lists may also be one comma-separated string, as anycable writes some. */
function convertFileValue(spec: OptionSpec, value: unknown, source: string): Value {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') throw badValue(source, 'a string', value);
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw badValue(source, 'an integer', value);
      return checkInteger(spec, value, source, value);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (spec.tomlWords && typeof value === 'string') return value === spec.tomlWords.true;
      throw badValue(source, spec.tomlWords ? 'a string' : 'true or false', value);
    case 'list':
      if (typeof value === 'string') return checkList(spec, splitList(value), source, value);
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
        throw badValue(source, 'an array of strings', value);
      }
      return checkList(spec, value as string[], source, value);
    case 'enum':
      if (typeof value !== 'string' || !spec.choices.includes(value)) {
        throw badValue(source, `one of ${spec.choices.join(', ')}`, value);
      }
      return value;
    case 'map':
      if (!isTable(value) || Object.values(value).some((item) => typeof item !== 'string')) {
        throw badValue(source, 'a table of strings', value);
      }
      return { ...(value as Record<string, string>) };
  }
}

/**
 * Parses `argv` (without node and script), `env` and an optional file layer against the table.
 * Precedence: command line, then environment, then file, then defaults. `actions` are value-less flags
 * such as `help` that the caller handles.
 */
export function parseOptions<T extends OptionTable>(
  table: T,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  actions: readonly string[] = [],
  layers: ParseLayers = {},
): ParsedOptions<T> {
  const fromCli = new Map<string, unknown>();
  const seenActions = new Set<string>();
  const unsupported: UnsupportedFlag[] = [];

  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const match = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new ConfigError(ErrorCode.ConfigUnknownOption, `unexpected argument ${JSON.stringify(arg)}`);
    const name = normalizeName(match[1]!);
    if (actions.includes(name)) {
      seenActions.add(name);
      continue;
    }
    const spec = table[name];
    const known = spec ? null : layers.unsupported?.get(name);
    if (!spec && !known) throw new ConfigError(ErrorCode.ConfigUnknownOption, `unknown flag --${match[1]} (see --help)`);
    let raw = match[2];
    if (raw === undefined) {
      const next = argv[i + 1];
      if (spec ? spec.type === 'boolean' : !known!.takesValue) {
        raw = 'true';
      } else if (next === undefined) {
        throw new ConfigError(ErrorCode.ConfigBadValue, `--${name}: a value is required`);
      } else {
        raw = argv[++i]!;
      }
    }
    if (spec) fromCli.set(name, convert(spec, raw, `--${name}`));
    else unsupported.push({ name, source: `--${name}`, raw });
  }

  const file = layers.file;
  const values: Record<string, unknown> = {};
  const explicit = new Set<keyof T & string>();
  for (const [name, spec] of Object.entries(table)) {
    if (fromCli.has(name)) {
      values[name] = fromCli.get(name);
      explicit.add(name);
      continue;
    }
    const envName = [envNameOf(name), ...(spec.env ?? [])].find((key) => env[key] !== undefined);
    if (envName !== undefined) {
      values[name] = convert(spec, env[envName]!, envName);
      explicit.add(name);
    } else if (file?.values.has(name)) {
      values[name] = convertFileValue(spec, file.values.get(name), `${file.source}: ${spec.toml}`);
      explicit.add(name);
    } else {
      values[name] = spec.default;
    }
  }
  return { values: values as OptionValues<T>, explicit, actions: seenActions, unsupported };
}

function formatDefault(spec: OptionSpec): string {
  if (spec.type === 'string' && spec.secret) return '';
  const value =
    spec.type === 'list'
      ? spec.default.join(',')
      : spec.type === 'map'
        ? Object.entries(spec.default)
            .map(([key, item]) => `${key}:${item}`)
            .join(',')
        : String(spec.default);
  return value === '' ? '' : ` (default: ${value})`;
}

function formatType(spec: OptionSpec): string {
  switch (spec.type) {
    case 'boolean':
      return '';
    case 'enum':
      return ` <${spec.choices.join('|')}>`;
    case 'list':
      return spec.choices ? ` <${spec.choices.join(',')}>` : ' <a,b,...>';
    case 'integer':
      return ' <n>';
    case 'map':
      return ' <key:value,...>';
    case 'string':
      return ' <value>';
  }
}

/** The --help text: every option, grouped by category, with its environment variables and default. */
export function formatHelp(table: OptionTable, usage: string): string {
  const byCategory = new Map<string, string[]>();
  for (const [name, spec] of Object.entries(table)) {
    const envNames = [envNameOf(name), ...(spec.env ?? [])].join(', ');
    const deprecated = spec.deprecated ? '[deprecated] ' : '';
    const lines = byCategory.get(spec.category) ?? [];
    lines.push(`  --${name}${formatType(spec)}\n      ${deprecated}${spec.help}${formatDefault(spec)} [${envNames}]`);
    byCategory.set(spec.category, lines);
  }
  const sections = [...byCategory].map(([category, lines]) => `${category}:\n${lines.join('\n')}`);
  return `${usage}\n\n${sections.join('\n\n')}\n`;
}
