import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { humanSize } from './fileList';

/** Writes a size in bytes in binary units, in the reader's language ("12 B", "1.5 MiB"). */
export function useSizeText() {
  const { t, i18n } = useTranslation('admin');
  return useCallback(
    (bytes: number) => {
      const { amount, unit } = humanSize(bytes, i18n.language);
      return t(`files.units.${unit}`, { size: amount });
    },
    [t, i18n.language],
  );
}

/** A size in binary units, the exact count of bytes in its title. */
export function FileSize({ bytes }: { bytes: number }) {
  const { t } = useTranslation('admin');
  const sizeText = useSizeText();
  return <span title={t('files.bytes', { count: bytes })}>{sizeText(bytes)}</span>;
}
