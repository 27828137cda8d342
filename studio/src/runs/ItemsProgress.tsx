// A foreach's or batch's items: counts, one cell per item coloured by its
// state, and for a batch the progress of each batch. The total is known once
// the node's output lists the items, or when its items are a plain path of
// the run's input; until then the events tell only the items started.
import { useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlowNode } from '../editor/flowTypes';
import { itemCounts, logsOf, type LiveState, type SlotLive } from './liveState';
import { batchEnds } from './inputGuess';
import { JsonView } from './JsonView';
import { StepLogs } from './StepLogs';
import { StatusBadge } from './StatusBadge';

const STEPS: Record<string, (k: number, size: number) => number> = {
  ArrowRight: (k) => k + 1,
  ArrowDown: (k) => k + 1,
  ArrowLeft: (k) => k - 1,
  ArrowUp: (k) => k - 1,
  Home: () => 0,
  End: (_, size) => size - 1,
};

function moveFocus(event: KeyboardEvent<HTMLOListElement>, size: number) {
  const step = STEPS[event.key];
  const from = (event.target as HTMLElement).dataset.item;
  if (!step || from === undefined) return;
  event.preventDefault();
  const to = Math.min(Math.max(step(Number(from), size), 0), size - 1);
  const target = event.currentTarget.querySelector<HTMLButtonElement>(`[data-item="${to}"]`);
  if (!target) return;
  (event.target as HTMLElement).tabIndex = -1;
  target.tabIndex = 0;
  target.focus();
}

export function ItemsProgress({ state, node, total }: { state: LiveState; node: FlowNode; total: number | null }) {
  const { t } = useTranslation('runs');
  const [chosen, setChosen] = useState<number | null>(null);
  const slots = state.items[node.id] ?? {};
  const counts = itemCounts(state, node.id, total);
  const size = Math.max(total ?? 0, ...Object.keys(slots).map((k) => Number(k) + 1));
  const slotOf = (k: number): SlotLive | undefined => slots[k];
  const ends = node.kind === 'batch' && total !== null ? batchEnds(node.batches ?? [], total) : [];
  const item = chosen !== null ? slotOf(chosen) : undefined;
  return (
    <section className="runs-items" aria-label={t('items.title')}>
      <h3>{t('items.title')}</h3>
      <p role="status" data-testid="items-counts">
        {t('items.counts', {
          total: total ?? '?',
          started: counts.started,
          succeeded: counts.succeeded,
          failed: counts.failed,
          running: counts.running + counts.waiting,
        })}
      </p>
      {ends.length > 0 ? (
        <table className="list runs-batches">
          <caption>{t('items.batches')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('items.batch')}</th>
              <th scope="col">{t('items.range')}</th>
              <th scope="col">{t('items.done')}</th>
              <th scope="col">{t('items.failedCount')}</th>
            </tr>
          </thead>
          <tbody>
            {ends.map((end, b) => {
              const from = b === 0 ? 0 : ends[b - 1]!;
              const inBatch = Array.from({ length: end - from }, (_, i) => slotOf(from + i));
              return (
                <tr key={b}>
                  <td>{b + 1}</td>
                  <td>{end > from ? `${from + 1}–${end}` : '–'}</td>
                  <td>
                    {inBatch.filter((s) => s?.status === 'succeeded').length} / {end - from}
                  </td>
                  <td>{inBatch.filter((s) => s?.status === 'failed').length}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {/* One tab stop for the whole grid: arrows, Home and End move between items (a roving tabindex). */}
      <ol className="runs-item-grid" aria-label={t('items.grid')} onKeyDown={(e) => moveFocus(e, size)}>
        {Array.from({ length: size }, (_, k) => {
          const status = slotOf(k)?.status ?? 'idle';
          return (
            <li key={k}>
              <button
                type="button"
                data-item={k}
                tabIndex={k === (chosen ?? 0) ? 0 : -1}
                className={`runs-item runs-bar-${status}${chosen === k ? ' runs-selected' : ''}`}
                aria-label={t('items.item', { index: k, status: t(`status.${status}`) })}
                aria-pressed={chosen === k}
                title={t('items.item', { index: k, status: t(`status.${status}`) })}
                onClick={() => setChosen(chosen === k ? null : k)}
              />
            </li>
          );
        })}
      </ol>
      {chosen !== null ? (
        <div className="runs-item-detail">
          <h4>
            {t('items.itemTitle', { index: chosen })} <StatusBadge status={item?.status ?? 'idle'} />
          </h4>
          <p>{t('node.attemptsOf', { n: item?.attempt ?? 0 })}</p>
          <JsonView label={t('node.output')} value={item?.output} level={5} />
          <JsonView label={t('node.error')} value={item?.error} level={5} />
          <StepLogs logs={logsOf(state, `${node.id}[${chosen}]`)} />
        </div>
      ) : null}
    </section>
  );
}
