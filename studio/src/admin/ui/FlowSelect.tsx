import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';

/** Pick one of the tenant's flows (webhooks and schedules are per flow). */
export function FlowSelect({ value, onChange }: { value: string; onChange: (flow: string) => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const flows = useLoad(
    () => ok(api.GET('/api/v1/tenants/{tenant}/flows', { params: { path: { tenant: tenant.name } } })),
    [tenant.name],
  );
  return (
    <>
      <label className="inline">
        {t('flow.pick')}
        <select value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">{t('flow.none')}</option>
          {(flows.data?.flows ?? []).map((flow) => (
            <option key={flow.name} value={flow.name}>
              {flow.latest_version === null ? t('flow.unpublished', { name: flow.name }) : flow.name}
            </option>
          ))}
        </select>
      </label>
      <ErrorNote error={flows.error} />
    </>
  );
}
