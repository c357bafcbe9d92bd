// PowerDriver over the real ipmitool (`chassis power status|on|off|soft`, `chassis bootparam get 5`), run through zx.
// Output texts and timings classified here are the ones recorded in /work/shared/lab/ipmi/README.md.

import { performance } from 'node:perf_hooks';
import { $, type ProcessOutput } from 'zx';
import { assertBmcHost } from './bmc.js';
import { parseBootFlags, type BootFlags } from './bootflags.js';
import { PowerError, type IpmiSettings, type OffMode, type PowerDriver, type PowerState } from './types.js';

export type ChassisAction = 'status' | 'on' | 'off' | 'soft' | 'bootflags';

const VERB: Record<ChassisAction, string> = {
  status: 'read the power state',
  on: 'power on',
  off: 'power off (hard)',
  soft: 'request a soft (ACPI) power off',
  bootflags: 'read the boot flags',
};

// The ipmitool arguments after `chassis` for each action.
const SUBCOMMAND: Record<ChassisAction, string[]> = {
  status: ['power', 'status'],
  on: ['power', 'on'],
  off: ['power', 'off'],
  soft: ['power', 'soft'],
  bootflags: ['bootparam', 'get', '5'],
};

// What ipmitool prints on stdout when the BMC accepted the command.
const ACCEPTED: Record<Exclude<ChassisAction, 'status' | 'bootflags'>, RegExp> = {
  on: /^Chassis Power Control: Up\/On$/m,
  off: /^Chassis Power Control: Down\/Off$/m,
  soft: /^Chassis Power Control: Soft$/m,
};
const STATUS = /^Chassis Power is (on|off)$/m;

// Exit codes of the shell zx runs ipmitool through: not executable / not found.
const NOT_RUNNABLE = new Set([126, 127]);

/** One finished ipmitool run, as the classifier sees it. */
export interface IpmiRun {
  /** stdout and stderr together, secrets removed. */
  output: string;
  exitCode: number | null;
  signal: string | null;
  elapsedMs: number;
  timedOut: boolean;
}

/** What the classifier needs to know about the call besides its output. */
export interface IpmiCallContext {
  bmc: string;
  action: ChassisAction;
  command: string;
  user: string;
  port: number;
  cipherSuite: number;
  retries: number;
  retryIntervalSeconds: number;
  timeoutSeconds: number;
}

export class IpmitoolDriver implements PowerDriver {
  private readonly retries: number;
  private readonly retryIntervalSeconds: number;

  constructor(private readonly settings: IpmiSettings) {
    this.retries = Math.max(1, Math.floor(settings.retries));
    this.retryIntervalSeconds = Math.max(1, Math.floor(settings.retryIntervalSeconds ?? 1));
  }

  async status(bmc: string): Promise<PowerState> {
    const stdout = await this.chassisPower(bmc, 'status');
    const state = STATUS.exec(stdout)?.[1];
    if (state !== 'on' && state !== 'off') throw this.unexpectedAnswer(bmc, 'status', stdout);
    return state;
  }

  async bootFlags(bmc: string): Promise<BootFlags> {
    const stdout = await this.chassisPower(bmc, 'bootflags');
    const flags = parseBootFlags(stdout);
    if (flags === undefined) throw this.unexpectedAnswer(bmc, 'bootflags', stdout);
    return flags;
  }

  async on(bmc: string): Promise<void> {
    await this.control(bmc, 'on');
  }

  async off(bmc: string, mode: OffMode): Promise<void> {
    await this.control(bmc, mode === 'soft' ? 'soft' : 'off');
  }

  private async control(bmc: string, action: Exclude<ChassisAction, 'status' | 'bootflags'>): Promise<void> {
    const stdout = await this.chassisPower(bmc, action);
    if (!ACCEPTED[action].test(stdout)) throw this.unexpectedAnswer(bmc, action, stdout);
  }

  private unexpectedAnswer(bmc: string, action: ChassisAction, output: string): PowerError {
    return new PowerError(
      'unexpected',
      `ipmitool could not ${VERB[action]} via BMC ${bmc}: it succeeded but printed an answer nodevac does not know`,
      'Look at the output below and run the same ipmitool command by hand to investigate.',
      this.redact(output).trim(),
    );
  }

  /** Runs `ipmitool … chassis <subcommand of action>` and returns its stdout when it exited 0; throws a PowerError otherwise. */
  private async chassisPower(bmc: string, action: ChassisAction): Promise<string> {
    assertBmcHost(bmc);
    const s = this.settings;
    const command = s.command ?? 'ipmitool';
    const args = [
      '-I',
      s.interface,
      '-C',
      String(s.cipherSuite),
      '-H',
      bmc,
      '-p',
      String(s.port),
      '-U',
      s.user,
      // -E: the password comes from IPMI_PASSWORD, never from argv (visible to every user in /proc).
      '-E',
      '-R',
      String(this.retries),
      '-N',
      String(this.retryIntervalSeconds),
      'chassis',
      ...SUBCOMMAND[action],
    ];
    const child = $({
      env: { ...process.env, IPMI_PASSWORD: s.password },
      verbose: false,
      quiet: true,
      nothrow: true,
      // Own session: no controlling terminal ipmitool could prompt on, and the kill reaches its whole group.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })`${command} ${args}`;

    let timedOut = false;
    const started = performance.now();
    const timer = setTimeout(() => {
      try {
        // Rejects only if the group vanished meanwhile: nothing left to stop then.
        child.kill('SIGKILL').catch(() => undefined);
        timedOut = true;
      } catch {
        // kill() throws synchronously once the child has finished on its own: that run is not a timeout.
      }
    }, s.timeoutSeconds * 1000);
    let out: ProcessOutput;
    try {
      out = await child;
    } finally {
      clearTimeout(timer);
    }
    const run: IpmiRun = {
      output: this.redact(`${out.stdout}${out.stderr}`),
      exitCode: out.exitCode,
      signal: out.signal,
      elapsedMs: performance.now() - started,
      timedOut,
    };
    if (!timedOut && run.exitCode === 0) return this.redact(out.stdout);
    throw classifyFailure(run, {
      bmc,
      action,
      command,
      user: s.user,
      port: s.port,
      cipherSuite: s.cipherSuite,
      retries: this.retries,
      retryIntervalSeconds: this.retryIntervalSeconds,
      timeoutSeconds: s.timeoutSeconds,
    });
  }

  // ipmitool never prints the password; this guards against a BMC or wrapper echoing it.
  private redact(text: string): string {
    return this.settings.password ? text.split(this.settings.password).join('********') : text;
  }
}

// Lines real ipmitool prints when the BMC answered and rejected the login (RMCP+ RAKP, IPMI 1.5 activate session)
// or the user's privilege. "Activate Session command failed" is seen in the lab; the rest are ipmitool's own texts.
const AUTH_LINES =
  /RAKP \d (message indicates an error|HMAC is invalid)|Activate Session command failed|Invalid user name|open session response message : (invalid role|unauthorized role requested)|Insufficient privilege/i;
// ipmitool's RAKP status texts for an open session response that rejects the proposed algorithms.
const CIPHER_LINE =
  /open session response message : (invalid (authentication|integrity|confidentiality) algorithm|no matching (authentication payload|integrity payload|cipher suite))/i;
const UNKNOWN_HOST = /Address lookup for \S+ failed/;
const NO_SESSION = /Error: Unable to establish (IPMI v2 \/ RMCP\+|IPMI v1\.5 \/ RMCP|LAN) session/;

/**
 * Turns a failed ipmitool run into a PowerError with a message naming the BMC and a hint.
 * Wrong password, unknown user and unreachable BMC end with the same line; when nothing before it tells them
 * apart, time does: a rejection comes back at once (0.05 s in the lab), while an unanswered BMC takes at least
 * one retransmission interval (-N) before ipmitool gives up.
 */
export function classifyFailure(run: IpmiRun, ctx: IpmiCallContext): PowerError {
  const what = `ipmitool could not ${VERB[ctx.action]} via BMC ${ctx.bmc}`;
  const text = run.output;
  const seconds = (run.elapsedMs / 1000).toFixed(2);

  if (run.timedOut) {
    return new PowerError(
      'timeout',
      `${what}: no result within ${ctx.timeoutSeconds} s, so it was stopped`,
      `The BMC may be hung or very slow: check it (web interface, ping), or raise ipmi.timeoutSeconds.`,
    );
  }
  if (run.exitCode !== null && NOT_RUNNABLE.has(run.exitCode)) {
    return new PowerError(
      'missing-tool',
      `${what}: the ipmitool command (${ctx.command}) was not found or cannot be run`,
      'Install it: apt-get install ipmitool',
    );
  }
  if (UNKNOWN_HOST.test(text)) {
    return new PowerError(
      'unknown-host',
      `${what}: the host name ${ctx.bmc} does not resolve (address lookup failed)`,
      "Check the BMC name in the node's ipmi: tag and this machine's DNS or /etc/hosts (an IP address works too).",
    );
  }
  const cipher = CIPHER_LINE.exec(text);
  if (cipher) {
    return new PowerError(
      'cipher',
      `${what}: the BMC does not support cipher suite ${ctx.cipherSuite} (${cipher[1]})`,
      'Set ipmi.cipherSuite to a suite this BMC supports (3 is the most common; 17 needs recent BMC firmware).',
    );
  }
  if (AUTH_LINES.test(text)) {
    return new PowerError(
      'auth',
      `${what}: the BMC refused the session for user "${ctx.user}"`,
      'Check ipmi.user and ipmi.password, and that this user has administrator privilege on the BMC.',
    );
  }
  if (NO_SESSION.test(text)) {
    if (run.elapsedMs < ctx.retryIntervalSeconds * 1000) {
      return new PowerError(
        'auth',
        `${what}: the BMC answered but refused the session for user "${ctx.user}" (after ${seconds} s)`,
        'Check ipmi.user and ipmi.password, and that this user has administrator privilege on the BMC.',
      );
    }
    return new PowerError(
      'unreachable',
      `${what}: no session after ${ctx.retries} ${ctx.retries === 1 ? 'retry' : 'retries'} (${seconds} s) on UDP port ${ctx.port}`,
      `Most likely the BMC does not answer: check that it is powered and reachable from this machine on UDP port ${ctx.port} ` +
        'and that IPMI over LAN is enabled. If it is reachable, check ipmi.user and ipmi.password: some BMCs stay ' +
        'silent on a wrong user or password, which looks the same.',
    );
  }
  const how = run.exitCode !== null ? `exit code ${run.exitCode}` : `killed by ${run.signal ?? 'a signal'}`;
  return new PowerError(
    'unexpected',
    `${what}: unexpected failure (${how})`,
    'Look at the output below and run the same ipmitool command by hand to investigate.',
    text.trim(),
  );
}
