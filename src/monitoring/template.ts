// Node names into monitoring names: {node} is the Ganeti node name, {short} its first label.
import { safeText } from '../util/quote.js';

export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export function shortName(node: string): string {
  return node.split('.')[0]!;
}

/** A regular expression matching `text` literally (Go's RE2 syntax, as Alertmanager uses; like Python's re.escape). */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Fills {node} and {short}; other braces (regex quantifiers such as {1,5}) are left alone. */
export function fill(template: string, node: string, regex = false): string {
  const esc = regex ? escapeRegex : (s: string) => s;
  return template.replace(/\{(node|short)\}/g, (_, key: string) => esc(key === 'node' ? node : shortName(node)));
}

/** The configured matchers for one node; names inside a regular expression are escaped (a dot matches a dot). */
export function nodeMatchers(matchers: readonly Matcher[], node: string): Matcher[] {
  return matchers.map((m) => ({ ...m, value: fill(m.value, node, m.isRegex) }));
}

/**
 * The mark every comment ends with, by which a job finds its own downtime and silence again (after a crash, on
 * adoption or retry) instead of making a second one.
 */
export function jobMark(jobId: string, node: string): string {
  return `[nodevac job ${jobId} node ${node}]`;
}

export interface CommentParts {
  jobId: string;
  node: string;
  operator: string;
  reason?: string;
  ticket?: string;
}

/** "reason - operator - ticket T1 [nodevac job J node N]", in the order spicerack's Reason uses. */
export function downtimeComment(p: CommentParts): string {
  // Shown later on other people's screens (Icinga Web, Alertmanager's UI, the TUI): terminal-safe, bounded.
  const parts = [safeText(p.reason?.trim() || 'node out of service', 500), safeText(p.operator, 200)];
  if (p.ticket?.trim()) parts.push(`ticket ${safeText(p.ticket.trim(), 100)}`);
  return `${parts.join(' - ')} ${jobMark(p.jobId, p.node)}`;
}
