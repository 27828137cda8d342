import { useTranslation } from 'react-i18next';
import { useTenant } from '../../session/session';
import { ROLES } from './forms';

/**
 * The roles one may hand out: every role except `owner` unless the caller
 * may manage owners (the API still refuses a role above the caller's own).
 */
export function RoleSelect({ value, onChange, label }: { value: string; onChange: (role: string) => void; label: string }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const offered = ROLES.filter((role) => role !== 'owner' || tenant.may('manage_owners'));
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {offered.map((role) => (
          <option key={role} value={role}>
            {t(`roles.${role}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
