// How long each node took, as bars on the run's time axis; a row is a button
// that selects its node (the keyboard's way to every node of the run).
import { useTranslation } from 'react-i18next';
import type { ShownNode } from './liveState';
import { StatusBadge } from './StatusBadge';
import { formatDuration } from './format';

export function RunTimeline({
  nodes,
  runStartedMs,
  now,
  selected,
  onSelect,
}: {
  nodes: ShownNode[];
  runStartedMs: number | null;
  now: number;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  const { t } = useTranslation('runs');
  const reached = nodes.filter((node) => node.startedMs !== null);
  const start = Math.min(runStartedMs ?? Infinity, ...reached.map((node) => node.startedMs!));
  const end = Math.max(start + 1, ...reached.map((node) => node.endedMs ?? now));
  const span = end - start;
  return (
    <section className="runs-timeline" aria-label={t('timeline.title')}>
      <h2>{t('timeline.title')}</h2>
      <ul>
        {nodes.map((node) => {
          const began = node.startedMs;
          const ended = node.endedMs ?? (began !== null ? now : null);
          const left = began !== null && Number.isFinite(start) ? ((began - start) / span) * 100 : 0;
          const width = began !== null && ended !== null ? Math.max(0.5, ((ended - began) / span) * 100) : 0;
          const duration = began !== null && ended !== null ? ended - began : null;
          return (
            <li key={node.id}>
              <button
                type="button"
                className={`runs-timeline-row${node.id === selected ? ' runs-selected' : ''}`}
                aria-pressed={node.id === selected}
                onClick={() => onSelect(node.id)}
                data-node={node.id}
              >
                <span className="runs-timeline-name">{node.id}</span>
                <StatusBadge status={node.status} />
                <span className="runs-timeline-track" aria-hidden="true">
                  {began !== null ? (
                    <span className={`runs-timeline-bar runs-bar-${node.status}`} style={{ left: `${left}%`, width: `${width}%` }} />
                  ) : null}
                </span>
                <span className="runs-timeline-duration">
                  {began === null ? t('timeline.notReached') : formatDuration(duration)}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
