import { useTranslation } from 'react-i18next';

/** An instant from the API in the reader's language (and optionally another zone). */
export function Time({ at, zone }: { at: string | null | undefined; zone?: string }) {
  const { i18n } = useTranslation();
  if (!at) return <>—</>;
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return <>{at}</>;
  let text: string;
  try {
    text = date.toLocaleString(i18n.language, zone ? { timeZone: zone, timeZoneName: 'short' } : undefined);
  } catch {
    // An unknown zone: the instant as the server wrote it.
    text = at;
  }
  return <time dateTime={at}>{text}</time>;
}
