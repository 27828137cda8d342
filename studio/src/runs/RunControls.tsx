// Cancel, pause and unpause the run — offered when the caller's role may
// operate and the run is in a state that admits them; each asks first.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useTenant } from '../session/session';
import { ConfirmButton } from '../ui/ConfirmButton';
import { TextField } from './TextField';
import { controlRun, type RunAction } from './controlsApi';
import { isFinal, type RunStatus, type RunView } from './runTypes';

export function RunControls({
  runId,
  status,
  onAnswer,
}: {
  runId: string;
  status: RunStatus | null;
  onAnswer: (run: RunView, action: string) => void;
}) {
  const { t } = useTranslation('runs');
  const tenant = useTenant();
  const [reason, setReason] = useState('');
  if (!tenant.may('operate') || !status || isFinal(status)) return null;
  // All three stay on the page (the one that does not apply disabled), so that
  // a dialog left open when the run's state changes stays open for its answer.
  const actions: RunAction[] = ['pause', 'unpause', 'cancel'];
  const admitted = (action: RunAction) =>
    action === 'cancel' || (action === 'pause' ? status !== 'paused' : status === 'paused');
  const act = async (action: RunAction) => {
    const run = await controlRun(tenant.name, runId, action, action === 'unpause' ? {} : { reason });
    setReason('');
    onAnswer(run, action);
  };
  return (
    <div className="row runs-controls" role="group" aria-label={t('controls.run')}>
      {actions.map((action) => (
        <ConfirmButton
          key={action}
          label={t(`controls.${action}`)}
          question={t(`controls.${action}Question`)}
          className={action === 'cancel' ? 'danger' : undefined}
          disabled={!admitted(action)}
          onConfirm={() => act(action)}
        >
          {action === 'unpause' ? null : <TextField label={t('controls.reason')} value={reason} onChange={setReason} />}
        </ConfirmButton>
      ))}
    </div>
  );
}
