import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ConfirmButton } from '../../ui/ConfirmButton';

/** Yank an uploaded version (flows can no longer resolve it) or restore it. */
export function YankButton({ plugin, version, yanked, onDone }: { plugin: string; version: string; yanked: boolean; onDone: () => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const path = { tenant: tenant.name, plugin, version };
  const toggle = async () => {
    if (yanked) await ok(api.POST('/api/v1/tenants/{tenant}/plugins/{plugin}/{version}/unyank', { params: { path } }));
    else await ok(api.POST('/api/v1/tenants/{tenant}/plugins/{plugin}/{version}/yank', { params: { path } }));
    onDone();
  };
  return (
    <ConfirmButton
      className={yanked ? undefined : 'danger'}
      label={yanked ? t('plugins.unyank') : t('plugins.yank')}
      question={t(yanked ? 'plugins.unyankQuestion' : 'plugins.yankQuestion', { plugin, version })}
      onConfirm={toggle}
    />
  );
}
