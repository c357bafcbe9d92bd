// Simulated BMCs and ping, in process. The control endpoint (control.ts) exposes the same actions over HTTPS.
import { parseBootFlags, type BootFlags } from '../power/bootflags.js';
import type { OffMode, PowerDriver, PowerState, Reachability } from '../power/types.js';
import { PowerError } from '../power/types.js';
import type { SimNode, SimWorld } from './world.js';

export interface BmcCredentials {
  user: string;
  password: string;
}

export type BmcAction = { action: 'status' } | { action: 'on' } | { action: 'off'; mode: OffMode };

/**
 * The BMC's boot flags as `ipmitool chassis bootparam get 5` prints their data: none set ("0000000000"), or with the
 * forcedPxeBoot fault valid + persistent (data 1 bits 7 and 6) with device selector 1, Force PXE (data 2 bits 5:2).
 */
export function bmcBootFlags(world: SimWorld, expected: BmcCredentials, given: BmcCredentials, bmc: string): BootFlags {
  bmcCommand(world, expected, given, bmc, { action: 'status' });
  const data = world.faults.current.forcedPxeBoot.includes(bmc) ? 'c004000000' : '0000000000';
  return parseBootFlags(`Boot parameter data: ${data}\n`)!;
}

/** One BMC command: checks that the BMC exists and answers, and the credentials, then acts. */
export function bmcCommand(
  world: SimWorld,
  expected: BmcCredentials,
  given: BmcCredentials,
  bmc: string,
  cmd: BmcAction,
): PowerState {
  const node: SimNode | undefined = world.nodeByBmc(bmc);
  if (node === undefined)
    throw new PowerError(
      'unknown-host',
      `BMC ${bmc} does not resolve`,
      "Check the node's ipmi: tag and that the BMC name is in DNS.",
    );
  if (world.faults.current.unreachableBmcs.includes(bmc)) {
    throw new PowerError(
      'unreachable',
      `BMC ${bmc} does not answer`,
      'Check that the BMC is cabled, powered (standby) and reachable from this host.',
    );
  }
  if (given.user !== expected.user || given.password !== expected.password) {
    throw new PowerError(
      'auth',
      `BMC ${bmc} rejected the IPMI user or password`,
      'Check ipmi.user and the IPMI password in the configuration.',
    );
  }
  if (cmd.action === 'on') world.powerOn(node);
  else if (cmd.action === 'off') world.powerOff(node, cmd.mode);
  return node.power;
}

/** The simulator's own BMC client: always the right credentials. */
export class InProcessPower implements PowerDriver {
  constructor(
    private readonly world: SimWorld,
    private readonly credentials: BmcCredentials,
  ) {}

  async status(bmc: string): Promise<PowerState> {
    return bmcCommand(this.world, this.credentials, this.credentials, bmc, { action: 'status' });
  }

  async on(bmc: string): Promise<void> {
    bmcCommand(this.world, this.credentials, this.credentials, bmc, { action: 'on' });
  }

  async off(bmc: string, mode: OffMode): Promise<void> {
    bmcCommand(this.world, this.credentials, this.credentials, bmc, { action: 'off', mode });
  }

  async bootFlags(bmc: string): Promise<BootFlags> {
    return bmcBootFlags(this.world, this.credentials, this.credentials, bmc);
  }
}

export class InProcessReach implements Reachability {
  constructor(private readonly world: SimWorld) {}

  async ping(address: string): Promise<boolean> {
    return this.world.ping(address);
  }

  async sweep(addresses: readonly string[]): Promise<Map<string, boolean>> {
    return new Map(addresses.map((a) => [a, this.world.ping(a)]));
  }
}
