// Finding, reading and validating the configuration. Every failure is a ConfigError (exit code 2).
import { readFileSync, statSync } from 'node:fs';
import { parse as parseLenient, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import { ConfigError, findConfig } from './find.js';
import { configSchema, type Config, type SecretSpec } from './schema.js';

// Finding the file lives apart (no zod, no parser) so that `nodevac --version` can say where it is cheaply.
export { ConfigError, candidates, findConfig, type Candidate } from './find.js';

export interface LoadedConfig {
  config: Config;
  file: string;
  /** How the file was found: --config, $NODEVAC_CONFIG, XDG or /etc. */
  source: string;
  warnings: string[];
}

export function loadConfig(explicit?: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const found = findConfig(explicit, env);
  let text: string;
  try {
    text = readFileSync(found.file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'EACCES'
        ? 'permission denied (check the file mode and owner)'
        : code === 'EISDIR'
          ? 'is a directory'
          : String(code ?? err);
    throw new ConfigError(`${found.file}: cannot read the configuration: ${why}`, [], found.file);
  }
  const config = parseConfig(text, found.file);
  return { config, file: found.file, source: found.source, warnings: permissionWarnings(found.file, config) };
}

/** Parses and validates configuration text; `file` names it in messages. */
export function parseConfig(text: string, file: string): Config {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(`${file}: invalid JSON${locateJsonError(text)}`, [], file);
  }
  const result = configSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => describeIssue(issue, data));
    throw new ConfigError(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the configuration`,
      problems,
      file,
    );
  }
  return result.data;
}

/** Node 20's JSON.parse does not say where; a tolerant parser finds the first error's place. */
function locateJsonError(text: string): string {
  if (text.trim() === '') return ': the file is empty';
  const errors: ParseError[] = [];
  parseLenient(text, errors, { allowTrailingComma: false, disallowComments: true });
  const first = errors[0];
  if (!first) return '';
  const before = text.slice(0, first.offset).split('\n');
  const reason = printParseErrorCode(first.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return ` at line ${before.length}, column ${before[before.length - 1]!.length + 1}: ${reason}`;
}

/** `clusters[1].port` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out || '(top level)';
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

/** Keys whose values are secrets: never shown back, even when misplaced or mistyped. */
const SECRET_KEYS = new Set(['password', 'sentinelPassword', 'secret']);

/** A Redis URL as it may be shown: its password masked (an unparsable one is not shown at all). */
function maskUrl(value: unknown): unknown {
  if (typeof value !== 'string' || !value.includes('@')) return value;
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return '(a URL, not shown: it may hold a password)';
  }
}

function shown(value: unknown, key?: PropertyKey): string {
  if (value === undefined) return 'nothing';
  if (key !== undefined && SECRET_KEYS.has(String(key)) && value !== '') {
    return `${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`} (not shown)`;
  }
  if (key === 'redis') value = maskUrl(value);
  const json = JSON.stringify(value, (k, v: unknown) =>
    SECRET_KEYS.has(k) ? '(hidden)' : k === 'redis' ? maskUrl(v) : v,
  );
  return json.length > 60 ? `${json.slice(0, 57)}…` : json;
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map(
      (k) => `${formatPath([...issue.path, k])}: unknown key (check its spelling against config.example.json)`,
    );
  }
  if (issue.code === 'invalid_union') {
    // The alternative whose keys match what was written explains the problem best.
    const fitting = issue.errors.filter(
      (alt) => alt.length > 0 && alt.every((i) => i.code !== 'unrecognized_keys' && i.path.length > 0),
    );
    if (fitting.length === 1) {
      return fitting[0]!.flatMap((i) =>
        describeIssue({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue, data),
      );
    }
    return [`${path}: ${issue.message}, got ${shown(valueAt(data, issue.path))}`];
  }
  const value = valueAt(data, issue.path);
  const message = issue.message.startsWith('Invalid input') ? 'unexpected value' : issue.message;
  if (issue.code === 'custom') return [`${path}: ${message}`];
  return [`${path}: ${message}, got ${shown(value, issue.path[issue.path.length - 1])}`];
}

/** A file holding inline secrets must not be readable by group or others. */
export function permissionWarnings(file: string, config: Config): string[] {
  const store = config.store;
  const inline =
    config.clusters.some((c) => c.password !== undefined || c.ipmi?.password !== undefined) ||
    config.ipmi?.password !== undefined ||
    (store !== undefined && 'password' in store && store.password !== undefined) ||
    (store !== undefined && 'sentinel' in store && store.sentinel.sentinelPassword !== undefined) ||
    (store !== undefined && 'redis' in store && redisUrlHasPassword(store.redis)) ||
    config.monitoring?.alertmanager?.password !== undefined ||
    config.monitoring?.icinga?.password !== undefined ||
    (config.monitoring?.webhooks ?? []).some((w) => w.secret !== undefined);
  if (!inline) return [];
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return [];
  }
  if ((mode & 0o077) === 0) return [];
  return [
    `${file} holds passwords and can be read by ${mode & 0o007 ? 'everyone' : 'its group'}: run chmod 600 ${file}`,
  ];
}

function redisUrlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

/** Reads a secret at the last moment; the value is never stored or logged. */
export function resolveSecret(spec: SecretSpec, path: string, env: NodeJS.ProcessEnv = process.env): string {
  if (spec.password !== undefined) return spec.password;
  if (spec.passwordEnv !== undefined) {
    const value = env[spec.passwordEnv];
    if (value === undefined || value === '') {
      throw new ConfigError(`${path}.passwordEnv: the environment variable ${spec.passwordEnv} is not set`, [
        `export ${spec.passwordEnv} before running nodevac, or use passwordFile`,
      ]);
    }
    return value;
  }
  if (spec.passwordFile !== undefined) {
    try {
      const value = readFileSync(spec.passwordFile, 'utf8').split('\n')[0]!.trimEnd();
      if (value === '') throw new ConfigError(`${path}.passwordFile: ${spec.passwordFile} is empty`);
      return value;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConfigError(
        `${path}.passwordFile: cannot read ${spec.passwordFile}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String(code)}`,
      );
    }
  }
  throw new ConfigError(`${path}: no password configured`);
}
