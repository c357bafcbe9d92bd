// The real lab (/work/shared/lab), when this machine has one up: its description and helpers to restore it.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { recordSkip } from '../helpers/skips.js';

const run = promisify(execFile);

export interface LabNode {
  name: string;
  fqdn: string;
  ip: string;
  tag: string;
  bmc: { host: string; ip: string; port: number };
}

export interface Lab {
  nodes: LabNode[];
  ganeti_exec: string;
  ipmi_user: string;
  ipmi_password: string;
}

export const LAB_FILE = process.env.NODEVAC_LAB || '/run/nodevac-lab/lab.json';

/** The lab description, or null (with the reason printed) when no lab is up. */
export function loadLab(what: string): Lab | null {
  if (!existsSync(LAB_FILE)) {
    recordSkip('lab', 'the lab', `${what}: no ${LAB_FILE}; ../shared/lab/up or set NODEVAC_LAB`);
    return null;
  }
  return JSON.parse(readFileSync(LAB_FILE, 'utf8')) as Lab;
}

/** Runs a gnt-* command on node1 (the lab's master) and returns its stdout. */
export async function gnt(lab: Lab, ...args: string[]): Promise<string> {
  const { stdout } = await run(lab.ganeti_exec, ['node1', ...args], { timeout: 120_000 });
  return stdout;
}

async function until(condition: () => Promise<boolean>, tries: number, pauseMs: number): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await condition().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return false;
}

/**
 * After a node was powered back on: waits until the master sees its node daemon again (numeric mfree), then
 * starts the instances a power loss left ERROR_down (the lab has no watcher to do it).
 */
export async function restoreInstances(lab: Lab, node: LabNode): Promise<void> {
  const live = await until(
    async () => {
      const row = (await gnt(lab, 'gnt-node', 'list', '-o', 'name,mfree', '--no-headers'))
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .find(([name]) => name === node.fqdn);
      return row !== undefined && /^\d/.test(row[1] ?? '');
    },
    120,
    1000,
  );
  if (!live) throw new Error(`${node.name}: node daemon not back after power on; restore the lab by hand`);
  const down = (await gnt(lab, 'gnt-instance', 'list', '-o', 'name,status', '--no-headers'))
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, status]) => status === 'ERROR_down')
    .map(([name]) => name as string);
  for (const name of down) await gnt(lab, 'gnt-instance', 'start', name);
}
