// The pieces of two-step verification the login page and the account's
// security page share: the QR code, the setup form and the backup codes.
import { useState } from 'preact/hooks';
import { t } from '../../lib/i18n';
import { backupCodesFile, cleanCode, groupSecret, qrFromSvg } from './logic';

/** POST /mfa/totp/setup's answer. */
export interface TotpSetup {
  secret: string;
  otpauth_url: string;
  qr_svg: string;
  algorithm: string;
  digits: number;
  period: number;
}

/**
 * The server's QR code, redrawn from its path data (qrFromSvg): no markup
 * of the answer is inserted and no data: image is needed under the CSP.
 */
export function QrCode({ svg }: { svg: string }) {
  const qr = qrFromSvg(svg);
  if (!qr) return null;
  return (
    <svg
      class="qr"
      viewBox={`0 0 ${qr.size} ${qr.size}`}
      shape-rendering="crispEdges"
      role="img"
      aria-label={t('auth.setup_qr')}
    >
      <rect width={qr.size} height={qr.size} fill="#fff" />
      <path fill="#000" d={qr.d} />
    </svg>
  );
}

/** The 6-digit code input every MFA form uses. */
export function CodeInput({ value, onInput, label }: { value: string; onInput: (v: string) => void; label: string }) {
  return (
    <label>
      {label}
      <input
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="[0-9 ]{6,8}"
        maxLength={8}
        required
        value={value}
        onInput={(e) => onInput((e.target as HTMLInputElement).value)}
      />
    </label>
  );
}

/**
 * A pending setup: scan or type the key, then confirm with a code.
 * `verify` gets the cleaned code and throws what the server refused.
 */
export function TotpSetupForm({
  setup,
  verify,
  explain,
}: {
  setup: TotpSetup;
  verify: (code: string) => Promise<void>;
  explain: (err: unknown) => string;
}) {
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await verify(cleanCode(code));
    } catch (err) {
      setError(explain(err));
      setCode('');
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="totp-setup" onSubmit={submit}>
      <QrCode svg={setup.qr_svg} />
      <p class="hint">{t('auth.setup_key')}</p>
      <p>
        <code class="secret" data-secret={setup.secret}>
          {groupSecret(setup.secret)}
        </code>
      </p>
      <CodeInput value={code} onInput={setCode} label={t('auth.mfa_code')} />
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t('auth.mfa_verify')}
      </button>
    </form>
  );
}

/** Backup codes, shown once: copy them or keep them as a file. */
export function BackupCodes({ codes, onDone }: { codes: string[]; onDone?: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = backupCodesFile(codes, t('auth.codes_file_heading'));
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'revenge-backup-codes.txt';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <section class="backup-codes" aria-labelledby="backup-codes-title">
      <h2 id="backup-codes-title">{t('auth.codes_title')}</h2>
      <p>{t('auth.codes_intro')}</p>
      <ul class="codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          onClick={() => navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false))}
        >
          {t('auth.codes_copy')}
        </button>
        <button type="button" class="secondary" onClick={download}>
          {t('auth.codes_download')}
        </button>
        {onDone && (
          <button type="button" onClick={onDone}>
            {t('auth.continue')}
          </button>
        )}
      </div>
      <p class="status" role="status">
        {copied ? t('auth.codes_copied') : ''}
      </p>
    </section>
  );
}
