// What the engine is given: its settings and the clients its activities are built from.
import type { RapiClient } from '../ganeti/client.js';
import type { JobEvent, Operator } from '../jobs/types.js';
import type { PowerDriver, Reachability } from '../power/types.js';
import type { Announcer } from '../monitoring/webhook.js';
import type { Store } from '../store/types.js';
import type { StepMonitoring } from './steps/context.js';

export interface RunnerSettings {
  movesPerEvacuation: number;
  leaseMs: number;
  bootMs: number;
  /** From disk activation on return until the DRBD disks are in sync (the plan's deadline may end it sooner). */
  syncMs: number;
  shutdownSeconds: number;
  powerOffMode: 'soft-then-hard' | 'soft' | 'hard';
  softOffMs: number;
  /** How long a powered-off node may keep answering ping. */
  pingDownMs: number;
  /** Pause between checks while waiting for a node (ping, node daemon). */
  pollMs: number;
}

export interface RunnerDeps {
  store: Store;
  /** A client whose writes carry this job's reason. */
  client: RapiClient;
  power: PowerDriver;
  reach: Reachability;
  operator: Operator;
  settings: RunnerSettings;
  /** The lock token this process holds for the job's node. */
  lockToken: string;
  /** The downtime service and the announcer, when monitoring is configured. */
  monitoring?: StepMonitoring & { announcer?: Pick<Announcer, 'announce'> };
  /** In-process listeners (the face that started the job) get events without a store round trip. */
  onEvent?: (event: JobEvent) => void;
}
