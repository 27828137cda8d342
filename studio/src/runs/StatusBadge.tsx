import { useTranslation } from 'react-i18next';
import './runs.css';

/** A run's or node's status as a word on a colour (the word carries it; the colour helps). */
export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation('runs');
  return <span className={`runs-badge runs-badge-${status}`}>{t(`status.${status}`, { defaultValue: status })}</span>;
}
