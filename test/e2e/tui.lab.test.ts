// Scenario 7 (real lab): the TUI in a real terminal (tmux, 120×40), driven by keyboard only: evacuate node2
// with power off, then power it on and migrate its instances back. What the screen says is read with
// capture-pane; what happened is read from Ganeti, the BMC and ping.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { requireLabOrSkip } from '../helpers/lab.js';
import {
  asOperator,
  expectNode2Home,
  expectNode2Offline,
  expectNode2Power,
  operatorName,
  poll,
  ROOT,
  scenario,
} from './helpers.js';

const lab = requireLabOrSkip('e2e scenario 7: the TUI in tmux (test/e2e/tui.lab.test.ts)');

const SESSION = 'tui';
// A private tmux server (its socket in the suite's temporary folder): nobody else's tmux is touched, and
// kill-server ends only ours.
let socket = '';

function tmux(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'tmux',
      ['-S', socket, ...args],
      { env: tuiEnv(), encoding: 'utf8', timeout: 30_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`tmux ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout),
    );
  });
}

/** The environment of a technician's terminal: Ink renders only a final frame when it believes it runs in CI. */
function tuiEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const key of Object.keys(env))
    if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_') || key.startsWith('VITEST'))
      delete env[key];
  delete env.NODEVAC_CONFIG;
  return env;
}

const screen = () => tmux('capture-pane', '-p', '-t', SESSION);

/** Polls the screen until `pattern` is on it; returns the match. */
async function see(pattern: RegExp, tries = 60): Promise<RegExpExecArray> {
  let last = '';
  try {
    return await poll(
      `${pattern} on the screen`,
      async () => {
        last = await screen();
        return pattern.exec(last) ?? undefined;
      },
      tries,
      500,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- screen\n${last}`);
  }
}

const keys = (...k: string[]) => tmux('send-keys', '-t', SESSION, ...k);

/**
 * Types `text` after the prompt `label`, a key at a time, each once the screen shows the one before: a key
 * sent the instant the prompt appears may reach the TUI before the prompt listens (then it is typed again).
 */
async function fill(label: string, text: string): Promise<void> {
  const field = new RegExp(`${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ?(\\S*)`);
  const current = async () => field.exec(await screen())?.[1] ?? '';
  for (let i = 0; i < 4 * text.length; i++) {
    const now = await current();
    if (now === text) return;
    if (text.startsWith(now)) await tmux('send-keys', '-t', SESSION, '-l', text[now.length]!);
    else await keys('BSpace');
    await poll(`the prompt to change from "${now}"`, async () => (await current()) !== now, 10, 200).catch(
      () => undefined,
    );
  }
  throw new Error(`could not type "${text}" after "${label}"\n--- screen\n${await screen()}`);
}

/**
 * Waits for the job screen's summary line. If the log says the job is done but the summary is not drawn, the
 * screen is redrawn once (a window resize, as a technician's terminal does) and the defect reported.
 */
async function seeDone(kind: string): Promise<void> {
  const done = new RegExp(`DONE: ${kind} of node2\\.ganeti\\.test`);
  const logged = new RegExp(`${kind} of node2\\.ganeti\\.test done`);
  const failed = /(FAILED|CANCELLED)(:| ·).*/;
  const [end] = await see(new RegExp(`${done.source}|${logged.source}|${failed.source}`), 600);
  if (failed.test(end)) throw new Error(`the ${kind} job did not succeed: ${end}\n--- screen\n${await screen()}`);
  if (done.test(await screen())) return;
  await see(done, 10).catch(async () => {
    console.log(
      `TUI defect: the job's log says "${kind} … done" but the DONE summary line is not drawn; redrawing\n${await screen()}`,
    );
    await tmux('resize-window', '-t', SESSION, '-x', '119');
    await tmux('resize-window', '-t', SESSION, '-x', '120');
    await see(done, 20);
  });
}

(lab ? describe : describe.skip)('e2e: evacuate, power off, power on and return node2 from the TUI (real lab)', () => {
  const operator = operatorName('tui');
  beforeAll(() => {
    execFileSync('tmux', ['-V']); // tmux is part of the lab's test tools: fail clearly without it
  });
  const s = scenario(
    lab,
    { tui: asOperator(operator) },
    {
      prepare: async () => {
        socket = join(s.dir, 'tmux.sock');
      },
      // The TUI drives its jobs: it goes first, so that ending them is not raced.
      stop: () => tmux('kill-server').catch(() => undefined),
    },
  );

  it('does the whole cycle by keyboard', async () => {
    await tmux(
      'new-session',
      '-d',
      '-s',
      SESSION,
      '-x',
      '120',
      '-y',
      '40',
      `exec '${process.execPath}' '${ROOT}/bin/nodevac.js' --config '${s.config.tui}'`,
    );

    // Clusters → nodes of lab → node2.
    await see(/lab\s+3\.0\.2\s+node1\.ganeti\.test/);
    await keys('Enter');
    await see(/Nodes of lab/);
    await see(/node2\.ganeti\.test\s+candidate\s+up\s+on/);
    // The first line is selected; one line down is node2. Each key waits for the screen to show the last one:
    // keys sent at once reach the TUI as one chunk of input, as a paste would.
    await see(/^> node1\.ganeti\.test/m);
    await keys('j');
    await see(/^> node2\.ganeti\.test/m);

    // e: the evacuation plan; p: with power off; enter, type the name: start.
    await keys('e');
    await see(/Evacuate node2\.ganeti\.test \(lab\)/);
    await see(/Mark node2 offline/);
    await see(/enter start {2}esc back/);
    await keys('p');
    await see(/\[x\] p power off/);
    await see(/Power off node2 through its BMC node2-bmc\.ganeti\.test/);
    await keys('Enter');
    await see(/Type node2 to evacuate it:/);
    await fill('Type node2 to evacuate it:', 'node2');
    await keys('Enter');
    const [, evacId] = await see(/Job ([0-9a-f]{8}) · Evacuate node2\.ganeti\.test/);
    s.ours.add(evacId!);
    await seeDone('evacuate');

    await expectNode2Offline();
    await expectNode2Power(lab!, 'off');

    // Back to the node list: node2 shows offline, not answering, powered off.
    await keys('Escape');
    await see(/node2\.ganeti\.test\s+offline\s+down\s+off/);

    // o: power on and return; m: migrate back; enter, type the name: start.
    await keys('o');
    await see(/Power on and return node2\.ganeti\.test \(lab\)/);
    await see(/Bring node2 back online/);
    await keys('m');
    await see(/Move 2 instances back to node2/);
    await see(/enter start {2}esc back/);
    await keys('Enter');
    await see(/Type node2 to power on and return it:/);
    await fill('Type node2 to power on and return it:', 'node2');
    await keys('Enter');
    const [, backId] = await see(/Job ([0-9a-f]{8}) · Power on and return node2\.ganeti\.test/);
    s.ours.add(backId!);
    await seeDone('poweron');

    await expectNode2Home();
    await expectNode2Power(lab!, 'on');

    // q quits at once: nothing started here is still running.
    await keys('q');
    await poll(
      'the TUI to quit',
      async () =>
        !(await tmux('has-session', '-t', SESSION).then(
          () => true,
          () => false,
        )),
      20,
      500,
    );
  }, 900_000);
});
