// Which screen shows a view, and its crumb in the header's path.
import type { ReactNode } from 'react';
import { short } from '../../text/format.js';
import type { View } from '../providers/navigation.js';
import { Audit } from './Audit.js';
import { Clusters } from './Clusters.js';
import { Help } from './Help.js';
import { Job } from './Job.js';
import { Jobs } from './Jobs.js';
import { Node } from './Node.js';
import { Nodes } from './Nodes.js';
import { Plan } from './Plan.js';
import { Roll } from './Roll.js';

export function crumb(v: View): string {
  switch (v.name) {
    case 'clusters':
      return 'clusters';
    case 'nodes':
      return v.cluster;
    case 'node':
      return short(v.node);
    case 'plan':
      return v.instance ? `${v.kind} ${short(v.instance)}` : v.kind;
    case 'job':
      return `job ${v.id}`;
    case 'roll':
      return `roll ${v.id}`;
    case 'jobs':
      return 'jobs';
    case 'audit':
      return 'audit';
    case 'help':
      return 'help';
  }
}

export function Screen({ view }: { view: View }): ReactNode {
  switch (view.name) {
    case 'clusters':
      return <Clusters />;
    case 'nodes':
      return <Nodes cluster={view.cluster} />;
    case 'node':
      return <Node cluster={view.cluster} node={view.node} />;
    case 'plan':
      return <Plan kind={view.kind} cluster={view.cluster} node={view.node} instance={view.instance} />;
    case 'job':
      return <Job id={view.id} />;
    case 'roll':
      return <Roll id={view.id} />;
    case 'jobs':
      return <Jobs />;
    case 'audit':
      return <Audit cluster={view.cluster} node={view.node} />;
    case 'help':
      return <Help />;
  }
}
