// One node: its instances and what an evacuation would do to each, tags, BMC, who works on it, and its history.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { NodeDetail } from '../../app/types.js';
import type { JobDowntime } from '../../jobs/types.js';
import type { InstanceAction } from '../../plan/types.js';
import { downtimeActive, downtimeText } from '../downtime.js';
import { operatorName, utcMinute } from '../../text/format.js';
import { mib, type ErrorView } from '../format.js';
import { useLayout } from '../providers/layout.js';
import { Banner, bannerLines } from './Banner.js';
import { instanceLines } from './instances.js';
import { blank, paragraph, TextLine } from './Lines.js';
import { ScrollView, type Line } from './ScrollView.js';

/** What the page shows of a node's detail (not Ganeti's raw node record). */
export type NodeView = Pick<NodeDetail, 'row' | 'instances' | 'tags' | 'plan' | 'history'>;

/** Instances as the plan sees them; any the plan does not list (it stopped early) still show with their state. */
export function nodeActions(d: NodeView): InstanceAction[] {
  const out = [...d.plan.instances];
  for (const i of d.instances) {
    if (out.some((a) => a.instance === i.name)) continue;
    out.push({
      instance: i.name,
      relation: i.pnode === d.row.name ? 'primary' : 'secondary',
      template: i.disk_template,
      adminState: i.admin_state,
      status: i.status,
      memory: i.beparams.maxmem ?? i.beparams.memory ?? 0,
      action: 'blocked',
      target: null,
      why: 'not planned: see the blockers',
    });
  }
  return out;
}

export function detailLines(d: NodeView, width: number, selected?: string, downtime?: JobDowntime): Line[] {
  const r = d.row;
  const lines: Line[] = [];
  lines.push({
    key: 'f1',
    node: (
      <TextLine>{`role ${r.role} · ping ${r.ping} · power ${r.power} · ${r.primaryInstances} primary / ${r.secondaryInstances} secondary`}</TextLine>
    ),
  });
  lines.push({
    key: 'f2',
    node: (
      <TextLine>{`address ${r.address} · memory free ${mib(r.memoryFree)} of ${mib(r.memoryTotal)} · group ${r.group}`}</TextLine>
    ),
  });
  lines.push({
    key: 'f3',
    node: (
      <TextLine
        color={r.bmc ? undefined : 'yellow'}
      >{`BMC ${r.bmc ?? 'none: the node has no ipmi: tag, it cannot be powered off or on'}`}</TextLine>
    ),
  });
  if (r.job)
    lines.push(
      ...paragraph(
        'job',
        `⚙ job ${r.job.id}: ${r.job.kind} ${r.job.state}, started by ${r.job.owner} — w to watch`,
        width,
        { color: 'cyan', bold: true },
      ),
    );
  if (r.lock)
    lines.push(
      ...paragraph(
        'lock',
        `⚿ locked by ${r.lock.owner} since ${utcMinute(r.lock.since)} UTC for job ${r.lock.jobId}`,
        width,
        { color: 'yellow' },
      ),
    );
  if (downtimeActive(downtime))
    lines.push(
      ...paragraph(
        'downtime',
        `⊘ monitoring silenced: ${downtimeText(downtime)}${downtime.madeBy ? ` (job ${downtime.madeBy})` : ''}`,
        width,
        { color: 'magenta' },
      ),
    );
  lines.push(blank('b1'));
  const p = d.plan;
  const verdict = p.blockers.length
    ? `BLOCKED: ${p.blockers.length} blocker(s), see e for details`
    : `can be evacuated${p.warnings.length ? ` (${p.warnings.length} warning(s))` : ''}`;
  lines.push({
    key: 'inst-title',
    node: (
      <TextLine bold color={p.blockers.length ? 'red' : undefined}>
        Instances ({d.instances.length}) — evacuation: {verdict}
      </TextLine>
    ),
  });
  lines.push(...instanceLines('inst', nodeActions(d), width, selected));
  for (const [i, b] of p.blockers.entries())
    lines.push(...paragraph(`blk${i}`, `✗ BLOCKER: ${b.message} — fix: ${b.fix}`, width, { color: 'red' }));
  if (p.blockers.length) lines.push(blank('b2'));
  lines.push(...paragraph('tags', `Tags: ${d.tags.length ? d.tags.join(', ') : '(none)'}`, width));
  lines.push(blank('b3'));
  lines.push({ key: 'hist-title', node: <TextLine bold>Recent history ({d.history.length})</TextLine> });
  if (d.history.length === 0) lines.push({ key: 'hist-none', node: <TextLine dim>{'  nothing recorded'}</TextLine> });
  for (const [i, h] of d.history.entries()) {
    lines.push({
      key: `hist${i}`,
      node: (
        <TextLine color={h.result === 'failed' || h.result === 'refused' ? 'red' : undefined}>
          {`  ${utcMinute(h.time)} ${operatorName(h.operator)} ${h.action} ${h.result}${h.jobId ? ` job ${h.jobId}` : ''}${h.detail && h.detail !== `job ${h.jobId}` ? ` — ${h.detail}` : ''}`}
        </TextLine>
      ),
    });
  }
  return lines;
}

export interface NodePageProps {
  cluster: string;
  node: string;
  detail?: NodeView;
  loading: boolean;
  error?: ErrorView;
  /** The instance under the cursor (`m` migrates it). */
  selected?: string;
  /** The node's monitoring downtime as the latest job that touched it left it (shown while active). */
  downtime?: JobDowntime;
}

export function NodePage({ cluster, node, detail, loading, error, selected, downtime }: NodePageProps): ReactNode {
  const { body } = useLayout();
  const bannerHeight = error ? bannerLines(error, body.columns).length : 0;
  const lines = detail ? detailLines(detail, body.columns, selected, downtime) : [];
  const focus = selected === undefined ? undefined : lines.findIndex((l) => l.key.startsWith(`inst:${selected}:`));
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {node} <Text dimColor>({cluster})</Text>
      </Text>
      {error ? <Banner error={error} /> : null}
      {detail ? (
        <ScrollView lines={lines} rows={body.rows - 1 - bannerHeight} focus={focus} />
      ) : loading ? (
        <Text dimColor>asking the cluster…</Text>
      ) : null}
    </Box>
  );
}
