import { useTranslation } from 'react-i18next';

export function NotFound() {
  const { t } = useTranslation();
  return <p role="alert">{t('errors.notFound')}</p>;
}
