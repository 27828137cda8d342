import { useRef, useState, type DragEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok, type Schemas } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useAction } from '../ui/useAction';
import { fileNameProblem, isTooLarge, MAX_FILE_BYTES, MAX_FILE_NAME, nameAfterPick, willReplace } from './fileNames';
import { shortSha } from './fileList';
import { useSizeText } from './FileSize';

interface Uploaded {
  file: Schemas['FileRecord'];
  replaced: boolean;
}

/**
 * Upload a file: drop it on the zone or pick it with the file field; it is
 * sent under the name in the name field (the picked file's own, unless
 * edited). A name the list holds already is replaced, which is said before.
 * The body is the file's raw bytes.
 */
export function FileUpload({ existing, onUploaded }: { existing: readonly string[]; onUploaded: () => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const sizeText = useSizeText();
  const picker = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [picked, setPicked] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [uploaded, setUploaded] = useState<Uploaded | null>(null);
  const action = useAction();

  const problem = name === '' ? null : fileNameProblem(name);
  const tooLarge = picked !== null && isTooLarge(picked.size);
  const replacing = name !== '' && problem === null && willReplace(name, existing);

  const pick = (file: File) => {
    setName((current) => nameAfterPick(current, picked?.name ?? null, file.name));
    setPicked(file);
    setUploaded(null);
    action.clear();
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file) pick(file);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!picked || problem !== null || tooLarge || name === '') return;
    setUploaded(null);
    const done = await action.run(async () => {
      const bytes = await picked.arrayBuffer();
      const answer = api.PUT('/api/v1/tenants/{tenant}/files/{file}', {
        params: { path: { tenant: tenant.name, file: name } },
        // The schema types the body as a string; it is the file's bytes, sent as they are.
        body: bytes as unknown as string,
        bodySerializer: (body: unknown) => body as ArrayBuffer,
        headers: { 'content-type': 'application/octet-stream' },
      });
      const file = await ok(answer);
      // 201 for a new name, 200 for a replaced one.
      return { file, replaced: (await answer).response.status === 200 };
    });
    if (done) {
      setUploaded(done);
      setPicked(null);
      setName('');
      if (picker.current) picker.current.value = '';
      onUploaded();
    }
  };
  const problemText = (() => {
    if (problem === null) return null;
    if (problem.kind === 'length') return t('files.problems.length', { max: MAX_FILE_NAME, length: problem.length });
    if (problem.kind === 'leadingDot') return t('files.problems.leadingDot');
    return t('files.problems.characters', { characters: problem.characters.map((c) => `“${c}”`).join(' ') });
  })();
  return (
    <form className="card admin-form" aria-labelledby="file-upload-title" onSubmit={(e) => void submit(e)} autoComplete="off">
      <h3 id="file-upload-title">{t('files.uploadTitle')}</h3>
      <div
        className={over ? 'admin-drop over' : 'admin-drop'}
        data-testid="file-drop-zone"
        aria-busy={action.busy}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p>{picked ? t('files.picked', { name: picked.name, size: sizeText(picked.size) }) : t('files.dropHere')}</p>
        <label>
          {t('files.pick')}
          <input
            ref={picker}
            type="file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) pick(file);
            }}
          />
        </label>
      </div>
      {tooLarge ? (
        <p className="error-note" role="alert">
          {t('files.problems.tooLarge', { name: picked.name, size: sizeText(picked.size), max: sizeText(MAX_FILE_BYTES) })}
        </p>
      ) : null}
      <label>
        {t('files.name')}
        <input
          value={name}
          className="admin-mono"
          spellCheck={false}
          aria-invalid={problem !== null}
          aria-describedby={problem !== null ? 'file-name-hint file-name-problem' : 'file-name-hint'}
          onChange={(e) => {
            setName(e.target.value);
            setUploaded(null);
          }}
        />
      </label>
      <p id="file-name-hint" className="hint">
        {t('files.nameHint', { max: MAX_FILE_NAME })}
      </p>
      {problemText ? (
        <p id="file-name-problem" className="error-note">
          {problemText}
        </p>
      ) : null}
      {replacing ? (
        <p className="admin-replace" role="status" data-testid="file-replace-note">
          {t('files.willReplace', { name })}
        </p>
      ) : null}
      <ErrorNote error={action.error} />
      {uploaded ? (
        <p role="status" className="admin-ok">
          {t(uploaded.replaced ? 'files.replacedDone' : 'files.uploaded', {
            name: uploaded.file.name,
            sha: shortSha(uploaded.file.sha256),
          })}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={action.busy || !picked || name === '' || problem !== null || tooLarge}>
        {action.busy ? t('files.uploading') : replacing ? t('files.replace') : t('files.upload')}
      </button>
    </form>
  );
}
