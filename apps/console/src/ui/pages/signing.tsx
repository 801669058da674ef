import { useState } from 'preact/hooks';
import { formatInstant, maskSecret } from '../../lib/format.js';
import { VERIFY_SNIPPET } from '../../lib/snippet.js';
import { useConsole } from '../context.js';
import { useAction, useLoad } from '../hooks.js';
import { ConfirmDialog, CopyButton, ErrorMessage, Loading } from '../widgets.js';

/** The tenant's signing secret (masked until shown), a verification snippet, and rotation. */
export function Signing() {
  const { api, notify } = useConsole();
  const secret = useLoad(() => api.signingSecret(), [api]);
  const rotate = useAction();
  const [shown, setShown] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const data = secret.data;

  return (
    <>
      <h1 tabIndex={-1}>Signed callbacks</h1>
      <p>
        Every callback carries <code>webhook-id</code>, <code>webhook-timestamp</code> and{' '}
        <code>webhook-signature</code> (Standard Webhooks: HMAC-SHA256 of <code>id.timestamp.body</code> with this
        secret). Verify them before acting on a callback.
      </p>
      <ErrorMessage error={secret.error} title="Could not load the secret" />
      <section aria-labelledby="secret-heading">
        <h2 id="secret-heading">Signing secret</h2>
        {!data ? (
          <Loading what="the secret" />
        ) : (
          <>
            <p class="secret">
              Current secret{shown ? '' : ' (hidden)'}:{' '}
              <code id="signing-secret">{shown ? data.secret : maskSecret(data.secret)}</code>
            </p>
            <div class="toolbar">
              <button
                type="button"
                aria-pressed={shown}
                aria-controls="signing-secret"
                onClick={() => setShown(!shown)}
              >
                {shown ? 'Hide' : 'Show'}
              </button>
              <CopyButton text={data.secret} label="Copy secret" />
            </div>
            {data.previous_expires_at ? (
              <p class="notice">
                The previous secret also signs callbacks until {formatInstant(data.previous_expires_at)}, so receivers
                can switch over.
              </p>
            ) : null}
            <button type="button" class="danger" disabled={rotate.busy} onClick={() => setConfirming(true)}>
              Rotate secret…
            </button>
            <ErrorMessage error={rotate.error} title="Rotation failed" />
          </>
        )}
      </section>
      <ConfirmDialog
        open={confirming}
        title="Rotate the signing secret?"
        confirmLabel="Rotate"
        danger
        onCancel={() => setConfirming(false)}
        onConfirm={async () => {
          setConfirming(false);
          if (await rotate.run(() => api.rotateSigningSecret())) {
            notify('Secret rotated. Update your receivers; the old secret keeps signing for a while.');
            setShown(false);
            await secret.reload();
          }
        }}
      >
        <p>
          Callbacks get signed with a new secret. The current one keeps signing too for the overlap period (24 hours by
          default), so update your receivers within it.
        </p>
      </ConfirmDialog>
      <section aria-labelledby="snippet-heading">
        <h2 id="snippet-heading">Verify a callback (Node.js)</h2>
        <pre class="code">
          <code>{VERIFY_SNIPPET}</code>
        </pre>
        <CopyButton text={VERIFY_SNIPPET} label="Copy code" />
      </section>
    </>
  );
}
