// The real thing in a real terminal: `nodevac demo` inside tmux at 120x40, driven key by key through a full
// evacuation with power off and back, read with capture-pane. With UPDATE_SCREENS=1 the captures become the README
// screenshots (docs/screens/*.txt); otherwise they are only checked, so a test run leaves the tree clean. Skipped, visibly, where tmux is not installed (CI installs it).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingTool } from '../helpers/skips.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SHOTS = join(ROOT, 'docs', 'screens');
const COLUMNS = 120;
const ROWS = 40;
const hasTmux = !missingTool('tmux', 'tmux');

// A private tmux server: the technician's own tmux, if any, is left alone.
const SOCKET = `nodevac-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });

function start(session: string, command: string, env: Record<string, string> = {}): void {
  const vars = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  tmux('new-session', '-d', '-s', session, '-x', String(COLUMNS), '-y', String(ROWS), '-c', ROOT, ...vars, command);
  // Keep the pane after the process exits, to read the screen it left.
  tmux('set-option', '-t', session, 'remain-on-exit', 'on');
}

/** A file the shell writes the exit status to (tmux itself is sometimes slow to notice a pane's process exit). */
const scratch: string[] = [];
function statusFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nodevac-tmux-'));
  scratch.push(dir);
  return join(dir, 'status');
}

const capture = (session: string, escapes = false) =>
  tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session);
const keys = (session: string, ...k: string[]) => tmux('send-keys', '-t', session, ...k);
const text = (session: string, s: string) => tmux('send-keys', '-t', session, '-l', s);

/** Polls the pane (bounded) until the check holds; fails with the last capture. */
async function until(
  session: string,
  check: string | RegExp | ((screen: string) => boolean),
  what: string,
  tries = 400,
): Promise<string> {
  const ok = (s: string) =>
    typeof check === 'string' ? s.includes(check) : check instanceof RegExp ? check.test(s) : check(s);
  let last = '';
  for (let i = 0; i < tries; i++) {
    last = capture(session);
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; the terminal shows:\n${last}`);
}

const UPDATE = process.env.UPDATE_SCREENS === '1';
/** Captures shown in README's "The terminal UI" section, between its screens markers (roll-*: test/tui/captures.test.tsx). */
const IN_README = ['nodes', 'plan', 'confirm', 'job-evacuated', 'roll-running', 'roll-report'];

function shot(name: string, screen: string): void {
  if (!UPDATE) return;
  const lines = screen.split('\n').map((l) => l.trimEnd());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(join(SHOTS, `${name}.txt`), `${lines.join('\n')}\n`);
}

function updateReadme(): void {
  const file = join(ROOT, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const begin = '<!-- screens:begin (written by UPDATE_SCREENS=1 npx vitest run test/tui/tmux.test.ts) -->';
  const end = '<!-- screens:end -->';
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md lacks the screens markers ${begin} … ${end}`);
  // The empty middle of a screen is one blank line here: the README shows what is on it, not its height.
  const screen = (name: string) => readFileSync(join(SHOTS, `${name}.txt`), 'utf8').replace(/\n{3,}/g, '\n\n');
  const blocks = IN_README.map((name) => `\`\`\`\n${screen(name)}\`\`\``).join('\n\n');
  writeFileSync(file, `${readme.slice(0, from + begin.length)}\n${blocks}\n${readme.slice(to)}`);
}

function fitsTerminal(screen: string): void {
  const lines = screen.replace(/\n$/, '').split('\n');
  expect(lines.length).toBeLessThanOrEqual(ROWS);
  for (const l of lines) expect([...l].length).toBeLessThanOrEqual(COLUMNS);
}

describe.skipIf(!hasTmux)('nodevac demo in tmux', () => {
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  }, 180_000);
  afterAll(() => {
    if (UPDATE && IN_README.every((name) => existsSync(join(SHOTS, `${name}.txt`)))) updateReadme();
    const socket = spawnSync('tmux', ['-L', SOCKET, 'display-message', '-p', '#{socket_path}'], {
      encoding: 'utf8',
    }).stdout.trim();
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    // tmux leaves its socket file behind when killed.
    if (socket) rmSync(socket, { force: true });
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it('find a node, read its plan, evacuate it fully and power it off, watch it, then power it on and return it', async () => {
    const s = 'demo';
    const status = statusFile();
    start(s, `node bin/nodevac.js demo; echo $? > ${status}`);

    const clusters = await until(s, (x) => /> ams\s+3\.0\.2/.test(x) && /fra\s+3\.0\.2/.test(x), 'both clusters');
    expect(clusters).toMatch(/^nodevac clusters/);
    fitsTerminal(clusters);
    shot('clusters', clusters);

    // Find the node: the nodes of ams, narrowed with the filter.
    keys(s, 'Enter');
    await until(s, /node7\.ams\.example\.org\s+regular\s+up/, 'the nodes of ams');
    shot('nodes', capture(s));
    keys(s, '/');
    await until(s, 'enter keep filter', 'the filter prompt');
    text(s, 'node4');
    await until(s, '1 of 1 (filtered from 7)', 'the filtered list');
    keys(s, 'Enter');
    await until(s, 'filter: node4', 'the kept filter');
    keys(s, 'Enter');
    const node = await until(s, 'Instances (15)', 'the node view');
    expect(node).toMatch(/api02\.ams\.example\.org\s+pri\s+drbd\s+running\s+migrate → node2/);
    shot('node', node);

    // Its plan, with power off and a full evacuation.
    keys(s, 'e');
    await until(s, (x) => x.includes('Evacuate node4.ams.example.org') && x.includes('enter to start'), 'the plan');
    keys(s, 'p');
    await until(s, (x) => x.includes('[x] p power off') && !x.includes('re-planning'), 'power off on');
    keys(s, 'f');
    const plan = await until(
      s,
      (x) => x.includes('[x] f full evacuation') && !x.includes('re-planning') && x.includes('new secondary'),
      'full evacuation on',
    );
    fitsTerminal(plan);
    shot('plan', plan);
    keys(s, 'Enter');
    await until(s, 'Type node4 to evacuate it:', 'the confirmation');
    // A reason and a ticket: tab to the reason, enter goes on to the ticket, then to the name.
    keys(s, 'Tab');
    await until(s, 'enter next', 'the reason field');
    text(s, 'disk replacement');
    keys(s, 'Enter');
    text(s, 'CHG-1234');
    keys(s, 'Enter');
    text(s, 'node4');
    const confirm = await until(s, 'Type node4 to evacuate it: node4', 'the confirmation filled in');
    expect(confirm).toContain('Reason (optional): disk replacement');
    expect(confirm).toContain('Ticket (optional): CHG-1234');
    fitsTerminal(confirm);
    shot('confirm', confirm);
    keys(s, 'Enter');

    // Watch it.
    const running = await until(s, (x) => /RUNNING \d+%/.test(x) && /⇢ \S+ \S+ running/.test(x), 'the job running');
    fitsTerminal(running);
    shot('job-running', running);
    const evacuated = await until(
      s,
      (x) => /DONE: evacuate of node4/.test(x) && !x.includes('c cancel'),
      'the evacuation to end',
      2400,
    );
    expect(evacuated).toMatch(/✓ Power off node4 through its BMC node4-bmc\.ams\.sim {2}done \d/);
    // The runner records the primaries' moves one by one; the secondaries move in one node-level Ganeti job
    // and are not counted (reported): hence no exact count here.
    // 11 steps: the demo has monitoring, so the plan silences node4 before it goes offline.
    expect(evacuated).toMatch(/DONE: evacuate of node4\.ams\.example\.org · \d+\/15 instance\(s\) done · 11\/11 steps/);
    // The job lists its reason, ticket and the silence and downtime that keep node4 quiet while it is away.
    expect(evacuated).toContain('reason: disk replacement · ticket CHG-1234');
    expect(evacuated).toMatch(/⊘ monitoring silenced: Icinga downtime \S+ · Alertmanager\s+silence\s+\S+ ·\s+until/);
    fitsTerminal(evacuated);
    shot('job-evacuated', evacuated);

    // Back on the node: offline, empty; power it on and return it, moving its instances back.
    keys(s, 'Escape');
    const away = await until(
      s,
      (x) =>
        /role offline · ping down · power \w+ · 0 primary \/ 0 secondary/.test(x) && x.includes('monitoring silenced'),
      'the node offline and empty, silenced',
    );
    expect(away).toMatch(
      /⊘ monitoring silenced: Icinga downtime \S+ · Alertmanager\s+silence\s+\S+ ·\s+until\s.*UTC\s+\(job \w+\)/,
    );
    shot('node-silenced', away);
    keys(s, 'o');
    await until(
      s,
      (x) => x.includes('Power on and return node4.ams.example.org') && x.includes('enter to start'),
      'the return plan',
    );
    keys(s, 'm');
    await until(s, (x) => x.includes('[x] m migrate back') && !x.includes('re-planning'), 'migrate back on');
    keys(s, 'Enter');
    await until(s, 'Type node4 to power on and return it:', 'the confirmation');
    text(s, 'node4');
    keys(s, 'Enter');
    const returned = await until(
      s,
      (x) => /DONE: poweron of node4/.test(x) && !x.includes('c cancel'),
      'the return to end',
      2400,
    );
    expect(returned).toMatch(/✓ Power on node4/);
    fitsTerminal(returned);
    shot('job-returned', returned);

    keys(s, 'Escape');
    // In service again, its primaries back (a full evacuation replaced their DRBD secondaries: node4 is made their
    // secondary again first).
    const back = await until(s, /role regular · ping up · power on/, 'the node in service again');
    shot('node-returned', back);

    // Every technician's jobs, the audit trail, the help.
    keys(s, ':');
    text(s, 'jobs');
    keys(s, 'Enter');
    const jobs = await until(
      s,
      (x) => x.includes('Jobs of every technician') && /poweron\s+node4\.ams\.example\.org\s+ams\s+succeeded/.test(x),
      'the jobs',
    );
    expect(jobs).toMatch(/evacuate\s+node4\.ams\.example\.org\s+ams\s+succeeded/);
    shot('jobs', jobs);
    keys(s, ':');
    text(s, 'audit');
    keys(s, 'Enter');
    shot(
      'audit',
      await until(
        s,
        (x) => /^Audit \d+ of/m.test(x) && /poweron\s+node4\.ams\.example\.org\s+ams\s+succeeded/.test(x),
        'the audit',
      ),
    );
    keys(s, '?');
    shot('help', await until(s, 'Everywhere', 'the help'));

    // Quit: nothing runs any more, so it quits at once, cleanly, and gives the terminal back.
    keys(s, 'q');
    await until(s, () => existsSync(status) && readFileSync(status, 'utf8').trim() !== '', 'nodevac to exit');
    expect(readFileSync(status, 'utf8').trim()).toBe('0');
    // The screen is given back clean: no frame left behind.
    expect(capture(s)).not.toContain('q quit');
  }, 240_000);

  it('NO_COLOR: not one colour escape on the real terminal; with colours, there are some', async () => {
    start('plain', 'node bin/nodevac.js demo', { NO_COLOR: '1' });
    start('colour', 'node bin/nodevac.js demo');
    const sgrColour = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*(?:3[0-7]|9[0-7]|38;[0-9;]+)m`);
    for (const session of ['plain', 'colour']) await until(session, /> ams\s+3\.0\.2/, `the clusters (${session})`);
    expect(capture('plain', true)).not.toMatch(sgrColour);
    expect(capture('colour', true)).toMatch(sgrColour);
    for (const session of ['plain', 'colour']) keys(session, 'q');
  }, 60_000);

  it('kiosk: Ctrl-Z and Ctrl-\\ leave it running; q asks to log out', async () => {
    const s = 'kiosk';
    const status = statusFile();
    start(s, `node bin/nodevac.js demo --kiosk; echo $? > ${status}`);
    const before = await until(s, /> ams\s+3\.0\.2/, 'the clusters');
    expect(before).toContain('KIOSK');
    keys(s, 'C-z');
    keys(s, 'C-\\');
    keys(s, 'C-c');
    await until(s, '? Log out of the nodevac kiosk? [y/n]', 'the logout question');
    expect(existsSync(status)).toBe(false);
    keys(s, 'n');
    await until(s, (x) => !x.includes('Log out of'), 'the question gone');
    keys(s, 'q');
    await until(s, 'Log out of the nodevac kiosk?', 'the logout question');
    keys(s, 'y');
    await until(s, () => existsSync(status) && readFileSync(status, 'utf8').trim() === '0', 'the logout');
  }, 60_000);
});
