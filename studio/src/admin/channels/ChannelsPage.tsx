import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok } from '../../api/client';
import { useTenant } from '../../session/session';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { ErrorNote } from '../../ui/ErrorNote';
import { useLoad } from '../../ui/useLoad';
import { Time } from '../ui/Time';
import { channelPreset, type ChannelPreset, type ListedChannel } from './channelBody';
import { ChannelForm } from './ChannelForm';

function loadChannels(tenant: string) {
  return ok(api.GET('/api/v1/tenants/{tenant}/channels', { params: { path: { tenant } } }));
}

/**
 * The tenant's notification channels (where the `notify` plugin sends): the
 * list shows each one's kind, format and target host — never a webhook's URL
 * nor a mail password, which the server keeps sealed. Those who manage
 * grants add, replace and delete them.
 */
export function ChannelsPage() {
  const { t } = useTranslation('admin');
  const tenant = useTenant();
  const editable = tenant.may('manage_grants');
  const channels = useLoad(() => loadChannels(tenant.name), [tenant.name]);
  const [preset, setPreset] = useState<ChannelPreset | null>(null);
  // A new form after each change: what was typed into the last one is gone.
  const [generation, setGeneration] = useState(0);
  const [done, setDone] = useState<string | null>(null);
  const remove = async (name: string) => {
    await ok(api.DELETE('/api/v1/tenants/{tenant}/channels/{channel}', { params: { path: { tenant: tenant.name, channel: name } } }));
    if (preset?.name === name) setPreset(null);
    channels.reload();
  };
  /** Start the form over: empty, or from a listed channel to replace. */
  const startForm = (channel: ListedChannel | null) => {
    setDone(null);
    setPreset(channel ? channelPreset(channel) : null);
    setGeneration((g) => g + 1);
  };
  const list = channels.data?.channels ?? [];
  return (
    <section aria-labelledby="channels-title">
      <h2 id="channels-title">{t('channels.title')}</h2>
      <p className="hint">{t('channels.intro')}</p>
      {editable ? (
        <>
          <ChannelForm
            key={generation}
            preset={preset}
            onSet={(name) => {
              setDone(name);
              setPreset(null);
              setGeneration((g) => g + 1);
              channels.reload();
            }}
          />
          {preset ? (
            <button type="button" onClick={() => startForm(null)}>
              {t('channels.newInstead')}
            </button>
          ) : null}
          {done ? (
            <p role="status" className="admin-ok">
              {t('channels.setDone', { name: done })}
            </p>
          ) : null}
        </>
      ) : null}
      <h3>{t('channels.list')}</h3>
      <ErrorNote error={channels.error} />
      {channels.data && list.length === 0 ? <p>{t('channels.none')}</p> : null}
      {list.length > 0 ? (
        <table className="list" aria-label={t('channels.list')}>
          <thead>
            <tr>
              <th scope="col">{t('channels.name')}</th>
              <th scope="col">{t('channels.kind')}</th>
              <th scope="col">{t('channels.target')}</th>
              <th scope="col">{t('channels.updatedAt')}</th>
              <th scope="col">{t('channels.updatedBy')}</th>
              {editable ? <th scope="col">{t('columns.actions')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {list.map((channel) => (
              <tr key={channel.name} data-channel={channel.name}>
                <td>
                  <code>{channel.name}</code>
                </td>
                <td>
                  {t(`channels.kinds.${channel.kind}`)}
                  {channel.format ? <span className="admin-badge admin-after">{t(`channels.formats.${channel.format}`)}</span> : null}
                </td>
                <td className="admin-mono admin-break">
                  {channel.target}
                  {channel.from ? <div className="hint">{t('channels.fromShown', { from: channel.from })}</div> : null}
                </td>
                <td>
                  <Time at={channel.updated_at} />
                </td>
                <td>{channel.updated_by}</td>
                {editable ? (
                  <td>
                    <div className="row">
                      <button type="button" onClick={() => startForm(channel)} aria-label={t('channels.replaceOf', { name: channel.name })}>
                        {t('channels.replaceShort')}
                      </button>
                      <ConfirmButton
                        className="danger"
                        label={t('channels.delete')}
                        question={t('channels.deleteQuestion', { name: channel.name })}
                        onConfirm={() => remove(channel.name)}
                      />
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
