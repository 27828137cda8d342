// Edge labels in the reader's language: the words for error, rollback and
// default routes (a switch case's label is its condition, shown as written).
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlowGraphEdge } from './graph';

export function useEdgeLabels<E extends FlowGraphEdge>(edges: E[]): E[] {
  const { t } = useTranslation('editor');
  return useMemo(
    () =>
      edges.map((edge) => {
        const role = edge.data?.role;
        if (role !== 'error' && role !== 'rollback' && role !== 'default') return edge;
        const label = t(`routes.role.${role}`);
        return edge.label === label ? edge : { ...edge, label };
      }),
    [edges, t],
  );
}
