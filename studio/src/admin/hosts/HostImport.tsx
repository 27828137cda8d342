import { useState, type DragEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiFailure, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useAction } from '../ui/useAction';
import { CONTENT_TYPES, describeImportError, detectFormat, importErrorsOf, type ImportFormat } from './importFile';

interface Imported {
  created: number;
  updated: number;
  removed: number;
}

/**
 * Bulk import: paste CSV or JSON, or drop (or pick) a file, which fills the
 * same field so it can be looked at first. The server takes all of it or
 * none; when it refuses, every bad row is listed with its line.
 */
export function HostImport({ onImported }: { onImported: () => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [chosen, setChosen] = useState<'auto' | ImportFormat>('auto');
  const [replace, setReplace] = useState(false);
  const [over, setOver] = useState(false);
  const [result, setResult] = useState<Imported | null>(null);
  const action = useAction();
  const format = chosen === 'auto' ? detectFormat(text, fileName) : chosen;

  const readFile = async (file: File) => {
    setText(await file.text());
    setFileName(file.name);
    setResult(null);
    action.clear();
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file) void readFile(file);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setResult(null);
    const imported = await action.run(() =>
      ok(
        api.POST('/api/v1/tenants/{tenant}/hosts/import', {
          params: { path: { tenant: tenant.name }, query: { replace } },
          // The file goes as it is (CSV or JSON text); the server reports its lines.
          body: text as never,
          bodySerializer: (body: unknown) => body as string,
          headers: { 'content-type': CONTENT_TYPES[format] },
        }),
      ),
    );
    if (imported) {
      setResult(imported);
      onImported();
    }
  };
  const errors = action.error instanceof ApiFailure ? importErrorsOf(action.error.details) : [];
  const words = { line: (n: number) => t('hosts.import.line', { n }), file: t('hosts.import.wholeFile') };
  return (
    <form className="card admin-form" aria-labelledby="host-import-title" onSubmit={(e) => void submit(e)}>
      <h3 id="host-import-title">{t('hosts.import.title')}</h3>
      <p className="hint" id="host-import-hint">
        {t('hosts.import.hint')}
      </p>
      <div
        className={over ? 'admin-drop admin-import-drop over' : 'admin-drop admin-import-drop'}
        data-testid="host-import-drop"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <label>
          {t('hosts.import.text')}
          <textarea
            rows={6}
            value={text}
            className="admin-mono"
            spellCheck={false}
            aria-describedby="host-import-hint"
            placeholder={'id,hostname,ip,zone,role\nh-1,game-1,10.0.0.1,eu-1,game'}
            onChange={(e) => {
              setText(e.target.value);
              setFileName(null);
            }}
          />
        </label>
        <p className="hint">{fileName ? t('hosts.import.fromFile', { name: fileName }) : t('hosts.import.dropHere')}</p>
        <label>
          {t('hosts.import.pick')}
          <input
            type="file"
            accept=".csv,.json,text/csv,application/json"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void readFile(file);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      <div className="row">
        <label className="inline">
          {t('hosts.import.format')}
          <select value={chosen} onChange={(e) => setChosen(e.target.value as 'auto' | ImportFormat)}>
            <option value="auto">{t('hosts.import.detected', { format: format.toUpperCase() })}</option>
            <option value="csv">CSV</option>
            <option value="json">JSON</option>
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
          {t('hosts.import.replace')}
        </label>
      </div>
      <ErrorNote error={action.error} />
      {errors.length > 0 ? (
        <ul className="admin-problems" aria-label={t('hosts.import.errors')}>
          {errors.map((error, i) => (
            <li key={i}>{describeImportError(error, words)}</li>
          ))}
        </ul>
      ) : null}
      {result ? (
        <p role="status" className="admin-ok">
          {t('hosts.import.done', { ...result })}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={action.busy || text.trim() === ''}>
        {replace ? t('hosts.import.submitReplace') : t('hosts.import.submit')}
      </button>
    </form>
  );
}
