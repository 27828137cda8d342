import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';
import { FlowSelect } from '../ui/FlowSelect';
import { Time } from '../ui/Time';
import { ScheduleForm } from './ScheduleForm';

/** A flow's cron schedules: list, add (with a preview of the next runs in its zone), remove. */
export function SchedulesPage() {
  const { t } = useTranslation('admin');
  const [flow, setFlow] = useState('');
  return (
    <section aria-labelledby="schedules-title">
      <h2 id="schedules-title">{t('schedules.title')}</h2>
      <FlowSelect value={flow} onChange={setFlow} />
      {flow ? <FlowSchedules key={flow} flow={flow} /> : <p className="hint">{t('schedules.pickFlow')}</p>}
    </section>
  );
}

function FlowSchedules({ flow }: { flow: string }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const schedules = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/flows/{name}/schedules', { params: { path: { tenant: tenant.name, name: flow } } })),
    [tenant.name, flow],
  );
  const remove = async (id: string) => {
    await ok(
      api.DELETE('/api/v1/tenants/{tenant}/flows/{name}/schedules/{id}', { params: { path: { tenant: tenant.name, name: flow, id } } }),
    );
    schedules.reload();
  };
  const list = schedules.data?.schedules ?? [];
  const editable = tenant.may('publish');
  return (
    <>
      <h3>{t('schedules.of', { flow })}</h3>
      <ErrorNote error={schedules.error} />
      {schedules.data && list.length === 0 ? <p>{t('schedules.none')}</p> : null}
      {list.length > 0 ? (
        <table className="list" aria-label={t('schedules.of', { flow })}>
          <thead>
            <tr>
              <th scope="col">{t('schedules.cron')}</th>
              <th scope="col">{t('schedules.timezone')}</th>
              <th scope="col">{t('schedules.nextAt')}</th>
              <th scope="col">{t('schedules.lastRun')}</th>
              <th scope="col">{t('schedules.createdBy')}</th>
              {editable ? <th scope="col">{t('columns.actions')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {list.map((schedule) => (
              <tr key={schedule.id}>
                <td className="admin-mono">{schedule.cron}</td>
                <td>{schedule.timezone}</td>
                <td>
                  <Time at={schedule.next_at} zone={schedule.timezone} />
                </td>
                <td className="admin-mono">
                  {schedule.last_run ? (
                    <Link to={`/t/${tenant.name}/runs/${schedule.last_run}`}>{schedule.last_run.slice(0, 8)}</Link>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{schedule.created_by}</td>
                {editable ? (
                  <td>
                    <ConfirmButton
                      className="danger"
                      label={t('schedules.remove')}
                      question={t('schedules.removeQuestion', { cron: schedule.cron })}
                      onConfirm={() => remove(schedule.id)}
                    />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {editable ? <ScheduleForm flow={flow} onAdded={schedules.reload} /> : null}
    </>
  );
}
