import { useTranslation } from 'react-i18next';
import { summariseFlowChange, type FlowChange } from './capabilities';

/** How each flow of the app changes in an upgrade: added, removed, or what changed inside it. */
export function UpgradeChanges({ flows }: { flows: FlowChange[] }) {
  const { t } = useTranslation('market');
  if (flows.length === 0) return <p>{t('upgrade.flowsSame')}</p>;
  return (
    <ul className="market-flow-changes" data-testid="flow-changes">
      {flows.map((change) => {
        const s = summariseFlowChange(change);
        const parts: string[] = [];
        if (s.fields.length > 0) parts.push(t('upgrade.fields', { fields: s.fields.join(', ') }));
        if (s.nodesAdded.length > 0) parts.push(t('upgrade.nodesAdded', { nodes: s.nodesAdded.join(', ') }));
        if (s.nodesRemoved.length > 0) parts.push(t('upgrade.nodesRemoved', { nodes: s.nodesRemoved.join(', ') }));
        if (s.nodesChanged.length > 0) parts.push(t('upgrade.nodesChanged', { nodes: s.nodesChanged.join(', ') }));
        if (s.edgesAdded > 0) parts.push(t('upgrade.edgesAdded', { count: s.edgesAdded }));
        if (s.edgesRemoved > 0) parts.push(t('upgrade.edgesRemoved', { count: s.edgesRemoved }));
        return (
          <li key={change.flow} data-change={change.change} className={`market-flow-${change.change}`}>
            <code>{change.flow}</code> — <strong>{t(`upgrade.change.${change.change}`)}</strong>
            {parts.length > 0 ? <span>: {parts.join('; ')}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}
