// The audit entries the facade leaves: what an operator started, cancelled, adopted or was refused on a node.
import type { AuditEntry, Operator } from '../jobs/types.js';
import type { Plan } from '../plan/types.js';
import type { Store } from '../store/types.js';

export function auditPlan(
  store: Store,
  operator: Operator,
  plan: Plan,
  result: AuditEntry['result'],
  detail: string,
  jobId?: string,
): Promise<void> {
  return store.appendAudit({
    time: new Date().toISOString(),
    operator,
    action: plan.kind,
    cluster: plan.cluster,
    node: plan.node,
    jobId,
    result,
    detail,
  });
}
