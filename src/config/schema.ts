// The configuration's public format. Keys of clusters, ipmi and store are relied on by scripts and runbooks.
import { z } from 'zod';

const FINGERPRINT = /^(sha256:)?([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^(sha256:)?[0-9A-Fa-f]{64}$/;

const port = (what: string) =>
  z
    .number({ error: `expected ${what}: an integer 1-65535` })
    .int({ error: `expected ${what}: an integer 1-65535` })
    .min(1, { error: `expected ${what}: an integer 1-65535` })
    .max(65535, { error: `expected ${what}: an integer 1-65535` });

const positive = (what: string) =>
  z.number({ error: `expected ${what}: a positive number` }).positive({ error: `expected ${what}: a positive number` });

const count = (what: string, max: number) =>
  z
    .number({ error: `expected ${what}: an integer 1-${max}` })
    .int({ error: `expected ${what}: an integer 1-${max}` })
    .min(1, { error: `expected ${what}: an integer 1-${max}` })
    .max(max, { error: `expected ${what}: an integer 1-${max}` });

const range = (what: string, min: number, max: number) =>
  z
    .number({ error: `expected ${what}: an integer ${min}-${max}` })
    .int({ error: `expected ${what}: an integer ${min}-${max}` })
    .min(min, { error: `expected ${what}: an integer ${min}-${max}` })
    .max(max, { error: `expected ${what}: an integer ${min}-${max}` });

const text = (what: string) =>
  z.string({ error: `expected ${what}: a non-empty string` }).min(1, { error: `expected ${what}: a non-empty string` });

/** A secret: inline, from a file (first line), or from an environment variable. Exactly one. */
const secretFields = {
  password: text('the password').optional(),
  passwordFile: text('a file holding the password').optional(),
  passwordEnv: text('the name of an environment variable holding the password').optional(),
};

function exactlyOneSecret(v: { password?: string; passwordFile?: string; passwordEnv?: string }, ctx: z.RefinementCtx) {
  const given = ['password', 'passwordFile', 'passwordEnv'].filter((k) => v[k as keyof typeof v] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        given.length === 0
          ? 'expected one of password, passwordFile or passwordEnv'
          : `expected only one of password, passwordFile or passwordEnv, got ${given.join(' and ')}`,
    });
  }
}

/** A per-cluster override may leave the secret to the global section, but may not give two. */
function atMostOneSecret(v: { password?: string; passwordFile?: string; passwordEnv?: string }, ctx: z.RefinementCtx) {
  const given = ['password', 'passwordFile', 'passwordEnv'].filter((k) => v[k as keyof typeof v] !== undefined);
  if (given.length > 1)
    ctx.addIssue({
      code: 'custom',
      message: `expected only one of password, passwordFile or passwordEnv, got ${given.join(' and ')}`,
    });
}

const tls = z.union(
  [
    z.strictObject({ ca: text('a CA certificate file (PEM)') }),
    z.strictObject({
      fingerprint: z
        .string()
        .regex(FINGERPRINT, { error: 'expected a sha256 fingerprint "sha256:AB:CD:…" (32 hex pairs)' }),
    }),
    z.strictObject({ insecure: z.literal(true, { error: 'expected insecure: true (or use ca / fingerprint)' }) }),
  ],
  { error: 'expected {"ca": "/path.pem"}, {"fingerprint": "sha256:AB:CD:…"} or {"insecure": true}' },
);

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const ipmiOverride = z
  .strictObject({
    user: text('the IPMI user').optional(),
    ...secretFields,
    interface: z.enum(['lanplus', 'lan'], { error: 'expected "lanplus" or "lan"' }).optional(),
    cipherSuite: range('a cipher suite', 0, 17).optional(),
    port: port('the BMC port').optional(),
  })
  .superRefine(atMostOneSecret);

export const clusterSchema = z
  .strictObject({
    name: z
      .string({ error: 'expected a cluster name' })
      .regex(NAME, { error: 'expected a short name: letters, digits, . _ - (at most 63)' }),
    host: text('the RAPI host name or address'),
    port: port('the RAPI port').default(5080),
    user: text('the RAPI user'),
    ...secretFields,
    tls,
    /** Kiosk: no write of any kind to this cluster. */
    readOnly: z.boolean({ error: 'expected true or false' }).default(false),
    timeoutSeconds: positive('a request timeout in seconds').default(30),
    /** Per-cluster IPMI override (credentials, port…). */
    ipmi: ipmiOverride.optional(),
  })
  .superRefine(exactlyOneSecret);

export const ipmiSchema = z
  .strictObject({
    user: text('the IPMI user'),
    ...secretFields,
    interface: z.enum(['lanplus', 'lan'], { error: 'expected "lanplus" or "lan"' }).default('lanplus'),
    cipherSuite: range('a cipher suite', 0, 17).default(3),
    port: port('the BMC port').default(623),
    tagPrefix: text('the node tag prefix naming the BMC').default('ipmi:'),
    timeoutSeconds: positive('a per-call timeout in seconds').default(20),
    retries: range('retries', 0, 10).default(1),
    /** How to power off: ACPI first then hard, ACPI only, or hard only. */
    powerOff: z
      .enum(['soft-then-hard', 'soft', 'hard'], { error: 'expected "soft-then-hard", "soft" or "hard"' })
      .default('soft-then-hard'),
    softOffTimeoutSeconds: positive('seconds to wait for an ACPI shutdown').default(300),
    /** ipmitool binary (a path or a name on PATH). */
    command: text('the ipmitool command').default('ipmitool'),
  })
  .superRefine(exactlyOneSecret);

/** host:port of a sentinel (port default 26379). */
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*)(:\d{1,5})?$/;

/** Credentials and transport shared by the URL and Sentinel forms of a Redis store. */
const redisAccess = {
  /** ACL user (Redis 6+); without it Redis' "default" user. */
  user: text('the Redis ACL user').optional(),
  ...secretFields,
  tls: z.strictObject({ ca: text('a CA certificate file (PEM)') }).optional(),
  db: range('a Redis database number', 0, 15).optional(),
};

function atMostOneOf(keys: string[]) {
  return (v: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const given = keys.filter((k) => v[k] !== undefined);
    if (given.length > 1)
      ctx.addIssue({ code: 'custom', message: `expected only one of ${keys.join(', ')}, got ${given.join(' and ')}` });
  };
}

const redisStore = z
  .strictObject({
    redis: z.string().regex(/^rediss?:\/\//, { error: 'expected a redis:// or rediss:// URL' }),
    ...redisAccess,
  })
  .superRefine(atMostOneSecret)
  .superRefine((v, ctx) => {
    let url: URL;
    try {
      url = new URL(v.redis);
    } catch {
      // Not echoed: the URL may hold a password.
      ctx.addIssue({ code: 'custom', path: ['redis'], message: 'expected a redis://host:port/db URL that parses' });
      return;
    }
    if (v.tls && url.protocol !== 'rediss:')
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'tls is for rediss:// URLs: write rediss:// in redis' });
    if (url.password && (v.password ?? v.passwordFile ?? v.passwordEnv) !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['redis'],
        message: 'the URL holds a password and so does password/passwordFile/passwordEnv: keep one',
      });
    if (url.username && v.user !== undefined)
      ctx.addIssue({ code: 'custom', path: ['redis'], message: 'the URL names a user and so does user: keep one' });
    const path = url.pathname.replace(/^\//, '');
    if (path !== '' && v.db !== undefined)
      ctx.addIssue({ code: 'custom', path: ['db'], message: `the URL already selects database ${path}: keep one` });
  });

const sentinelStore = z
  .strictObject({
    sentinel: z
      .strictObject({
        sentinels: z
          .array(z.string({ error: 'expected "host:port"' }).regex(HOST_PORT, { error: 'expected "host:port"' }), {
            error: 'expected a list of "host:port" sentinels',
          })
          .min(1, { error: 'expected at least one sentinel "host:port"' }),
        masterName: text('the name the sentinels monitor the primary under'),
        /** Sentinels with requirepass / an ACL user of their own. */
        sentinelUser: text("the sentinels' ACL user").optional(),
        sentinelPassword: text("the sentinels' password").optional(),
        sentinelPasswordFile: text("a file holding the sentinels' password").optional(),
        sentinelPasswordEnv: text("the name of an environment variable holding the sentinels' password").optional(),
        /** How long a store call waits for the sentinels to promote a new primary before it fails. */
        failoverSeconds: positive('seconds to wait for a new primary').optional(),
      })
      .superRefine(atMostOneOf(['sentinelPassword', 'sentinelPasswordFile', 'sentinelPasswordEnv'])),
    ...redisAccess,
  })
  .superRefine(atMostOneSecret);

const store = z.union(
  [redisStore, sentinelStore, z.strictObject({ dir: text('a directory for the local store') })],
  // The Sentinel form is left out of this summary: a section naming `sentinel` gets that form's own messages.
  { error: 'expected {"redis": "redis://host:6379/0"} or {"dir": "/var/lib/nodevac"}' },
);

const httpUrl = (what: string) =>
  z
    .string({ error: `expected ${what}: an http:// or https:// URL` })
    .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { error: `expected ${what}: an http:// or https:// URL` })
    // URLs are shown in messages: a password inside one would be shown with it.
    .refine((u) => !/^https?:\/\/[^/]*@/.test(u), {
      error: `expected ${what} without user or password in it (use the user and password fields)`,
    });

/** Alertmanager matchers (api/v2/openapi.yaml: matcher). The default silences every alert of the node's instance label. */
const matcher = z.strictObject({
  name: text('a label name'),
  value: z.string({ error: 'expected a label value (may use {node} and {short})' }),
  isRegex: z.boolean({ error: 'expected true or false' }).default(false),
  isEqual: z.boolean({ error: 'expected true or false' }).default(true),
});

export const DEFAULT_MATCHERS = [
  { name: 'instance', value: '^({short})(\\..+)?(:[0-9]+)?$', isRegex: true, isEqual: true },
];

/** A user with its secret, or neither (an Alertmanager without a proxy in front asks for no credentials). */
function userWithSecret(
  v: { user?: string; password?: string; passwordFile?: string; passwordEnv?: string },
  ctx: z.RefinementCtx,
) {
  if (v.user !== undefined) exactlyOneSecret(v, ctx);
  else if (v.password !== undefined || v.passwordFile !== undefined || v.passwordEnv !== undefined)
    ctx.addIssue({ code: 'custom', message: 'expected a user with the password (or neither)' });
}

const monitoringTimeout = positive('a request timeout in seconds').default(10);

export const monitoringSchema = z
  .strictObject({
    alertmanager: z
      .strictObject({
        /** Every instance of an HA cluster: each is tried in turn, the first answer wins. */
        urls: z
          .array(httpUrl('an Alertmanager URL'), { error: 'expected a list of Alertmanager URLs' })
          .min(1, { error: 'expected at least one Alertmanager URL' }),
        user: text('the Alertmanager user').optional(),
        ...secretFields,
        tls: tls.optional(),
        timeoutSeconds: monitoringTimeout,
        matchers: z
          .array(matcher, { error: 'expected a list of matchers' })
          .min(1, { error: 'expected at least one matcher' })
          .default(DEFAULT_MATCHERS),
      })
      .superRefine(userWithSecret)
      .optional(),
    icinga: z
      .strictObject({
        url: httpUrl('the Icinga 2 API URL'),
        user: text('the Icinga 2 API user'),
        ...secretFields,
        tls: tls.optional(),
        timeoutSeconds: monitoringTimeout,
        /** The Icinga host object of a node: {node} is the Ganeti node name, {short} its first label. */
        host: text('the Icinga host name (may use {node} and {short})').default('{node}'),
      })
      .superRefine(exactlyOneSecret)
      .optional(),
    webhooks: z
      .array(
        z
          .strictObject({
            url: httpUrl('the webhook URL'),
            /** Signs each body (HMAC-SHA256) when given: inline, from a file (first line) or the environment. */
            secret: text('the signing secret').optional(),
            secretFile: text('a file holding the signing secret').optional(),
            secretEnv: text('the name of an environment variable holding the signing secret').optional(),
            tls: tls.optional(),
            timeoutSeconds: monitoringTimeout,
          })
          .superRefine((v, ctx) => {
            const given = (['secret', 'secretFile', 'secretEnv'] as const).filter((k) => v[k] !== undefined);
            if (given.length > 1)
              ctx.addIssue({
                code: 'custom',
                message: `expected only one of secret, secretFile or secretEnv, got ${given.join(' and ')}`,
              });
          }),
        { error: 'expected a list of webhooks' },
      )
      .optional(),
    /** The downtime's length; without it the plan's own deadlines decide. */
    downtimeMinutes: count('downtime minutes', 7 * 24 * 60).optional(),
  })
  .refine((m) => m.alertmanager !== undefined || m.icinga !== undefined || m.webhooks !== undefined, {
    message: 'expected at least one of alertmanager, icinga or webhooks',
  });

export const configSchema = z.strictObject({
  clusters: z
    .array(clusterSchema, { error: 'expected a list of clusters' })
    .min(1, { error: 'expected at least one cluster' })
    .superRefine((list, ctx) => {
      // Clusters are chosen by name (--cluster, locks, audit): two with one name would be ambiguous.
      list.forEach((c, i) => {
        const first = list.findIndex((o) => o.name === c.name);
        if (first < i)
          ctx.addIssue({
            code: 'custom',
            path: [i, 'name'],
            message: `expected a unique name: "${c.name}" is also clusters[${first}].name`,
          });
      });
    }),
  ipmi: ipmiSchema.optional(),
  store: store.optional(),
  reach: z
    .strictObject({
      timeoutSeconds: positive('a ping timeout in seconds').default(2),
      concurrency: count('concurrent pings', 1000).default(64),
      /** Ping the node's primary IP from Ganeti, or its name. */
      address: z.enum(['pip', 'name'], { error: 'expected "pip" or "name"' }).default('pip'),
      intervalSeconds: positive('seconds between background sweeps').default(10),
    })
    .prefault({}),
  limits: z
    .strictObject({
      evacuationsPerCluster: count('evacuations per cluster at once', 100).default(1),
      movesPerEvacuation: count('instance moves in parallel per evacuation', 50).default(2),
      rapiConnections: count('RAPI connections per cluster', 20).default(4),
    })
    .prefault({}),
  timeouts: z
    .strictObject({
      /** From power on until the node answers ping and its node daemon takes it back. */
      bootSeconds: positive('seconds to wait for a node to boot').default(900),
      /** Lease of a node lock; renewed by heartbeat, taken over when it expires. */
      leaseSeconds: positive('lock lease seconds').default(30),
      shutdownSeconds: positive('seconds an instance gets to shut down').default(120),
    })
    .prefault({}),
  operator: z
    .strictObject({
      /** "os": the OS user; "ssh": the OS user and the SSH client address; "fixed": the name below. */
      from: z.enum(['os', 'ssh', 'fixed'], { error: 'expected "os", "ssh" or "fixed"' }).default('ssh'),
      name: text('the operator name').optional(),
    })
    .refine((o) => o.from !== 'fixed' || o.name !== undefined, { message: 'expected a name when from is "fixed"' })
    .prefault({}),
  kiosk: z
    .strictObject({
      enabled: z.boolean({ error: 'expected true or false' }).default(false),
      /** Seconds without a key before the kiosk logs out (0: never). */
      idleLogoutSeconds: z
        .number({ error: 'expected seconds before logout: an integer, 0 for never' })
        .int({ error: 'expected seconds before logout: an integer, 0 for never' })
        .min(0, { error: 'expected seconds before logout: an integer, 0 for never' })
        .default(0),
    })
    .prefault({}),
  /** Monitoring downtimes and silences around a node's absence, and announcements of each job. */
  monitoring: monitoringSchema.optional(),
  /** Every acting command must carry --reason. */
  requireReason: z.boolean({ error: 'expected true or false' }).default(false),
  /** Set by `nodevac demo`: power and ping go to the embedded simulator. Not for production configs. */
  simulator: z.strictObject({ url: text('the simulator control URL'), tls }).optional(),
});

export type Config = z.infer<typeof configSchema>;
export type ClusterConfig = Config['clusters'][number];
export type IpmiConfig = NonNullable<Config['ipmi']>;
export type MonitoringConfig = NonNullable<Config['monitoring']>;
export type SecretSpec = { password?: string; passwordFile?: string; passwordEnv?: string };
export type StoreConfig = NonNullable<Config['store']>;
