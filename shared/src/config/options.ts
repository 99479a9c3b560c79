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

export type OptionSpec = StringOption | IntegerOption | BooleanOption | ListOption | EnumOption;
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
          : never;

export type OptionValues<T extends OptionTable> = { readonly [K in keyof T]: ValueOf<T[K]> };

export interface ParsedOptions<T extends OptionTable> {
  readonly values: OptionValues<T>;
  /** Names set on the command line or in the environment (not left at their default). */
  readonly explicit: ReadonlySet<keyof T & string>;
  /** Standalone flags such as --help that are not options. */
  readonly actions: ReadonlySet<string>;
}

export function envNameOf(option: string): string {
  return `ANYCABLE_${option.toUpperCase()}`;
}

function normalizeName(flag: string): string {
  return flag.replace(/-/g, '_').toLowerCase();
}

function badValue(source: string, expected: string, raw: string): ConfigError {
  return new ConfigError(ErrorCode.ConfigBadValue, `${source}: expected ${expected}, got ${JSON.stringify(raw)}`);
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 't']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'f', '']);

function convert(spec: OptionSpec, raw: string, source: string): string | number | boolean | readonly string[] {
  switch (spec.type) {
    case 'string':
      return raw;
    case 'integer': {
      const value = Number(raw.trim());
      if (raw.trim() === '' || !Number.isInteger(value)) throw badValue(source, 'an integer', raw);
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        const range = `an integer in [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}]`;
        throw badValue(source, range, raw);
      }
      return value;
    }
    case 'boolean': {
      const word = raw.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw badValue(source, 'true or false', raw);
    }
    case 'list': {
      const items = raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
      const unknown = spec.choices ? items.filter((item) => !spec.choices!.includes(item)) : [];
      if (unknown.length > 0) throw badValue(source, `a comma-separated list of ${spec.choices!.join(', ')}`, raw);
      return items;
    }
    case 'enum':
      if (!spec.choices.includes(raw)) throw badValue(source, `one of ${spec.choices.join(', ')}`, raw);
      return raw;
  }
}

/**
 * Parses `argv` (without node and script) and `env` against the table. Precedence: command line, then
 * environment, then defaults. `actions` are value-less flags such as `help` that the caller handles.
 */
export function parseOptions<T extends OptionTable>(
  table: T,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  actions: readonly string[] = [],
): ParsedOptions<T> {
  const fromCli = new Map<string, unknown>();
  const seenActions = new Set<string>();

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
    if (!spec) throw new ConfigError(ErrorCode.ConfigUnknownOption, `unknown flag --${match[1]} (see --help)`);
    let raw = match[2];
    if (raw === undefined) {
      const next = argv[i + 1];
      if (spec.type === 'boolean') {
        raw = 'true';
      } else if (next === undefined) {
        throw new ConfigError(ErrorCode.ConfigBadValue, `--${name}: a value is required`);
      } else {
        raw = argv[++i]!;
      }
    }
    fromCli.set(name, convert(spec, raw, `--${name}`));
  }

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
    } else {
      values[name] = spec.default;
    }
  }
  return { values: values as OptionValues<T>, explicit, actions: seenActions };
}

function formatDefault(spec: OptionSpec): string {
  if (spec.type === 'string' && spec.secret) return '';
  const value = spec.type === 'list' ? spec.default.join(',') : String(spec.default);
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
