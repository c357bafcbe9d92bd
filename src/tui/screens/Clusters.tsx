// The clusters screen: asks the facade for every cluster's status and opens a cluster's nodes.
import type { ReactNode } from 'react';
import { isFinal } from '../../jobs/rules.js';
import { ClusterList, clusterBannerRows, type ClusterRow } from '../components/ClusterList.js';
import { errorView } from '../format.js';
import { listViewProps, useList } from '../hooks/useList.js';
import { usePoll } from '../hooks/usePoll.js';
import { hint, KEYS, pressed } from '../keymap.js';
import { useHints, useKeys } from '../providers/keys.js';
import { useLayout } from '../providers/layout.js';
import { useNavigation } from '../providers/navigation.js';
import { useSession } from '../providers/session.js';

const fields = (r: ClusterRow) => [r.name, r.status?.master, r.status?.version];
const keyOf = (r: ClusterRow) => r.name;

export function Clusters(): ReactNode {
  const { app } = useSession();
  const { body } = useLayout();
  const nav = useNavigation();
  const polled = usePoll(
    () =>
      Promise.all(
        app.clusterNames().map((name): Promise<ClusterRow> =>
          app.clusterStatus(name).then(
            (status) => ({ name, status }),
            (err: unknown) => ({ name, failure: errorView(err) }),
          ),
        ),
      ),
    ['clusters'],
  );
  // The clusters' running rolls, from every technician's jobs: w opens one.
  const rolls = usePoll(
    () =>
      app
        .jobs({ all: true })
        .then((jobs) => Object.fromEntries(jobs.filter((j) => j.roll && !isFinal(j)).map((j) => [j.cluster, j.id]))),
    ['clusters-rolls'],
  ).data;
  const all: ClusterRow[] = (polled.data ?? app.clusterNames().map((name) => ({ name }))).map((r) =>
    rolls?.[r.name] ? { ...r, roll: rolls[r.name] } : r,
  );
  const list = useList(all, {
    keyOf,
    fields,
    remember: 'clusters',
    rows: body.rows,
    extra: clusterBannerRows(all, body.columns),
  });

  const roll = list.sel.selected?.roll;
  useHints([hint(KEYS.open, 'nodes'), ...(roll ? [hint(KEYS.roll)] : []), hint(KEYS.filter)]);
  useKeys((input, key) => {
    if (list.handle(input, key)) return true;
    if (key.return && list.sel.selected) {
      nav.push({ name: 'nodes', cluster: list.sel.selected.name });
      return true;
    }
    if (pressed(KEYS.roll, input) && roll) {
      nav.push({ name: 'roll', id: roll });
      return true;
    }
    return false;
  });

  return <ClusterList {...listViewProps(all, list)} />;
}
