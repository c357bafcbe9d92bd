// The package as an operator gets it: `npm pack` from a clean copy of the tree (prepack builds dist/), then
// `npm install -g --prefix` of the tarball (no build step, no dev dependencies), then the installed `nodevac`.
// The copy keeps this test from deleting the dist/ that other suites run from while they run.
import { execFile, type ExecFileOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/helpers.js';

const MINUTES = 60_000;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (asynchronously: the test worker keeps answering vitest meanwhile). */
function run(cmd: string, args: string[], options: ExecFileOptions = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function sh(cmd: string, args: string[], options: ExecFileOptions = {}): Promise<string> {
  const r = await run(cmd, args, options);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The files a fresh clone has: tracked and untracked-but-not-ignored (no dist/, no node_modules). */
async function cloneTree(into: string): Promise<void> {
  const files = (await sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT }))
    .split('\0')
    .filter((f) => f !== '' && existsSync(path.join(ROOT, f)));
  for (const f of files) {
    mkdirSync(path.dirname(path.join(into, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(into, f));
  }
  // The build needs the dev dependencies (tsc); they are not part of what is packed.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(into, 'node_modules'));
}

describe('the npm package', () => {
  let work: string;
  let tarball: string;
  let listed: string[];
  let prefix: string;
  let installOutput: string;
  // The installed command finds `node` on PATH (its #! line): the Node running this test.
  const env = () => ({
    ...process.env,
    PATH: `${path.join(prefix, 'bin')}:${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    HOME: work,
    NODEVAC_CONFIG: '',
    XDG_CONFIG_HOME: path.join(work, 'xdg'),
    NO_COLOR: '1',
  });

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'nodevac-package-'));
    const tree = path.join(work, 'tree');
    await cloneTree(tree);
    const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' };
    const packed = JSON.parse(
      await sh('npm', ['pack', '--json', '--pack-destination', work], { cwd: tree, env: npmEnv }),
    ) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(work, packed[0]!.filename);
    listed = packed[0]!.files.map((f) => f.path);
    prefix = path.join(work, 'prefix');
    // The npm cache holds every dependency after `npm ci`; the network is used only for what it lacks.
    const installed = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', tarball], {
      cwd: work,
      env: npmEnv,
    });
    installOutput = installed.stdout + installed.stderr;
    if (installed.code !== 0) throw new Error(`npm install -g failed:\n${installOutput}`);
  }, 10 * MINUTES);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the built program, its documents and the service unit; no tests, benchmarks or sources', () => {
    expect(path.basename(tarball)).toMatch(/^nodevac-\d+\.\d+\.\d+.*\.tgz$/);
    for (const f of [
      'bin/nodevac.js',
      'dist/cli/main.js',
      'dist/sim/index.js',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'config.example.json',
      'packaging/nodevac-worker.service',
    ])
      expect(listed).toContain(f);
    const unwanted = listed.filter((f) => /^(test|bench|src|docs|\.ci)\//.test(f) || /\.(ts|tsx|map)$/.test(f));
    expect(unwanted).toEqual([]);
  });

  it('installs without dev dependencies, and without an install script for npm to warn about', () => {
    expect(installOutput).not.toMatch(/install-scripts|allow-scripts/);
    const manifest = JSON.parse(readFileSync(path.join(prefix, 'lib/node_modules/nodevac/package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare'])
      expect(manifest.scripts).not.toHaveProperty(script);
    const modules = path.join(prefix, 'lib/node_modules/nodevac/node_modules');
    const installed = readdirSync(modules);
    for (const dev of ['typescript', 'vitest', 'eslint', 'prettier']) expect(installed).not.toContain(dev);
    expect(installed).toContain('commander');
  });

  it('the installed nodevac runs a demo evacuation to a succeeded summary', async () => {
    const r = await run(
      'nodevac',
      ['demo', '--', 'evacuate', 'node3.fra.example.org', '--poweroff', '--yes', '--json'],
      {
        env: env(),
        cwd: work,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
    expect(summary).toMatchObject({ type: 'summary', status: 'succeeded', node: 'node3.fra.example.org' });
  });

  it('nodevac --version: the version on stdout; the Node running it and where the configuration is on stderr', async () => {
    const r = await run('nodevac', ['--version'], { env: env(), cwd: work });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
    expect(r.stderr).toContain(`on Node ${process.version}`);
    expect(r.stderr).toContain('configuration: no configuration file found; looked in');
  });
});
