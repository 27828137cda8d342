import { useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok, type Schemas } from '../../api/client';
import { useTenant } from '../../session/session';
import { ErrorNote } from '../../ui/ErrorNote';
import { useAction } from '../ui/useAction';
import { isWasmFile } from './pluginList';

/**
 * Upload a plugin component: drop a `.wasm` file on the zone, or pick one
 * with the file field (keyboard users). The body is the file's raw bytes.
 */
export function PluginDropZone({ onUploaded }: { onUploaded: (plugin: Schemas['Plugin']) => void }) {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const picker = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [notWasm, setNotWasm] = useState<string | null>(null);
  const [uploaded, setUploaded] = useState<Schemas['Plugin'] | null>(null);
  const action = useAction();

  const upload = async (file: File) => {
    setUploaded(null);
    setNotWasm(null);
    if (!isWasmFile(file)) {
      setNotWasm(file.name);
      return;
    }
    const bytes = await file.arrayBuffer();
    const plugin = await action.run(() =>
      ok(
        api.POST('/api/v1/tenants/{tenant}/plugins', {
          params: { path: { tenant: tenant.name } },
          // The schema types the body as a string; it is the component's bytes, sent as they are.
          body: bytes as unknown as string,
          bodySerializer: (body: unknown) => body as ArrayBuffer,
          headers: { 'content-type': 'application/wasm' },
        }),
      ),
    );
    if (picker.current) picker.current.value = '';
    if (plugin) {
      setUploaded(plugin);
      onUploaded(plugin);
    }
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file) void upload(file);
  };
  return (
    <div className="card admin-form">
      <h3>{t('plugins.uploadTitle')}</h3>
      <div
        className={over ? 'admin-drop over' : 'admin-drop'}
        data-testid="plugin-drop-zone"
        aria-busy={action.busy}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p>{action.busy ? t('plugins.uploading') : t('plugins.dropHere')}</p>
        <label>
          {t('plugins.pick')}
          <input
            ref={picker}
            type="file"
            accept=".wasm,application/wasm"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void upload(file);
            }}
          />
        </label>
      </div>
      {notWasm ? (
        <p className="error-note" role="alert">
          {t('plugins.notWasm', { name: notWasm })}
        </p>
      ) : null}
      <ErrorNote error={action.error} />
      {uploaded ? (
        <p role="status" className="admin-ok">
          {t('plugins.uploaded', { name: uploaded.name, version: uploaded.version })}
        </p>
      ) : null}
    </div>
  );
}
