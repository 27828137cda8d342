import { useTranslation } from 'react-i18next';
import { capabilityRows, isEmpty, KINDS, type Capabilities } from './capabilities';

/**
 * What an app may touch, as a reader consents to it: grouped by kind (HTTP
 * hosts, secrets to supply, inventory hosts, notification channels, atoms),
 * each atom with what it lets the app do. With an upgrade's diff, new entries
 * are marked and highlighted and dropped ones listed as no longer asked.
 */
export function CapabilityList({
  capabilities,
  diff,
  level = 3,
  testId,
}: {
  capabilities: Capabilities;
  diff?: { added: Capabilities; removed: Capabilities } | null;
  level?: 3 | 4;
  testId?: string;
}) {
  const { t } = useTranslation('market');
  const rows = capabilityRows(capabilities, diff);
  const Heading = level === 3 ? 'h3' : 'h4';
  if (isEmpty(capabilities) && rows.length === 0) {
    return (
      <p className="market-caps" data-testid={testId}>
        {t('caps.nothing')}
      </p>
    );
  }
  return (
    <div className="market-caps" data-testid={testId}>
      {KINDS.map((kind) => {
        const ofKind = rows.filter((row) => row.kind === kind);
        if (ofKind.length === 0) return null;
        return (
          <div key={kind} className="market-caps-kind" data-kind={kind}>
            <Heading>{t(`caps.${kind}.title`)}</Heading>
            <p className="hint">{t(`caps.${kind}.hint`)}</p>
            <ul>
              {ofKind.map((row) => (
                <li key={`${row.change}:${row.value}`} className={`market-cap market-cap-${row.change}`} data-change={row.change}>
                  <code>{row.value}</code>
                  {kind === 'atoms' ? <span> — {t(`atoms.${row.value}`, { defaultValue: row.value })}</span> : null}
                  {row.change === 'added' ? <strong className="market-tag market-tag-added">{t('caps.added')}</strong> : null}
                  {row.change === 'removed' ? <span className="market-tag market-tag-removed">{t('caps.removed')}</span> : null}
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </div>
  );
}
