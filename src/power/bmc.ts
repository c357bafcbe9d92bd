// Which BMC belongs to a node (its `ipmi:<host>` tag), and whether a BMC name is safe to hand to ipmitool.

import { PowerError } from './types.js';

// A host name or IP address (IPv6 included) and nothing else: no spaces, quotes or shell/option syntax.
const BMC_HOST = /^[A-Za-z0-9.:-]+$/;
const MAX_HOST_LENGTH = 253;

export function isValidBmcHost(host: string): boolean {
  // A leading '-' would be read by ipmitool as an option.
  return host.length > 0 && host.length <= MAX_HOST_LENGTH && BMC_HOST.test(host) && !host.startsWith('-');
}

/** Throws PowerError('bad-bmc') unless `host` is a plain host name or IP address. */
export function assertBmcHost(host: string): void {
  if (!isValidBmcHost(host)) {
    throw new PowerError(
      'bad-bmc',
      `Invalid BMC host ${JSON.stringify(host)}: expected a host name or IP address ` +
        `(letters, digits, dots, hyphens, colons; at most ${MAX_HOST_LENGTH} characters, not starting with '-')`,
      "Fix the node's ipmi: tag so that it names only the BMC's host name or IP address.",
    );
  }
}

/**
 * The BMC named by the node's `<prefix><host>` tag, or null when there is none.
 * Throws PowerError('bad-bmc') when several tags name different BMCs: guessing could power off the wrong machine.
 */
export function bmcFromTags(tags: readonly string[], prefix = 'ipmi:'): string | null {
  const hosts = [
    ...new Set(tags.filter((t) => t.startsWith(prefix) && t.length > prefix.length).map((t) => t.slice(prefix.length))),
  ];
  if (hosts.length > 1) {
    throw new PowerError(
      'bad-bmc',
      `The node has ${hosts.length} ${prefix} tags naming different BMCs: ${hosts.map((h) => prefix + h).join(', ')}`,
      'Keep exactly one: remove the wrong ones with gnt-node remove-tags <node> <tag>.',
    );
  }
  return hosts[0] ?? null;
}

/**
 * The node's BMC host, validated. Throws PowerError('no-bmc-tag') naming the tag to add when the node has none,
 * PowerError('bad-bmc') when the tag's value is not a plain host name or IP address.
 */
export function requireBmc(node: string, tags: readonly string[], prefix = 'ipmi:'): string {
  const bmc = bmcFromTags(tags, prefix);
  if (bmc === null) {
    const short = node.split('.')[0] ?? node;
    throw new PowerError(
      'no-bmc-tag',
      `Node ${node} has no ${prefix}<bmc> tag, so nodevac does not know which BMC powers it`,
      `Add a tag naming its BMC (host name or IP), e.g.: gnt-node add-tags ${node} ${prefix}${short}-bmc.example.org`,
    );
  }
  if (!isValidBmcHost(bmc)) {
    throw new PowerError(
      'bad-bmc',
      `Node ${node} has the tag ${JSON.stringify(prefix + bmc)}, which is not a host name or IP address`,
      `Replace it: gnt-node remove-tags ${node} <that tag>, then gnt-node add-tags ${node} ${prefix}<BMC host name or IP>.`,
    );
  }
  return bmc;
}
