import { useTranslation } from 'react-i18next';
import { useTenant } from '../../session/session';
import { ROLES } from './forms';

/**
 * The roles one may hand out: every role except `owner` unless the caller
 * may manage owners (the API still refuses a role above the caller's own).
 * In a table row the label can be read by screen readers only (`labelHidden`).
 */
export function RoleSelect({
  value,
  onChange,
  label,
  labelHidden,
}: {
  value: string;
  onChange: (role: string) => void;
  label: string;
  labelHidden?: boolean;
}) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const offered = ROLES.filter((role) => role !== 'owner' || tenant.may('manage_owners'));
  return (
    <label className={labelHidden ? 'inline' : undefined}>
      <span className={labelHidden ? 'admin-visually-hidden' : undefined}>{label}</span>
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
