import { useTranslation } from 'react-i18next';

/** Every problem the server found in an app (`invalid_app`: `error.details.problems`). */
export function ProblemList({ problems }: { problems: string[] }) {
  const { t } = useTranslation('market');
  if (problems.length === 0) return null;
  return (
    <div className="market-problems" role="alert">
      <p>{t('problems.title', { count: problems.length })}</p>
      <ul>
        {problems.map((problem) => (
          <li key={problem}>{problem}</li>
        ))}
      </ul>
    </div>
  );
}
