import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../lib/api.js';

/** A status word with its colour; the word itself carries the meaning, the colour only helps. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status.replace('_', ' ')}</span>;
}

/** An API error, announced (role=alert), with the bad fields when the API named them. */
export function ErrorMessage({ error, title }: { error: ApiError | undefined; title?: string }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      <p>
        <strong>{title ?? 'Something went wrong'}:</strong> {error.message}
        {error.code && error.code !== 'network' ? <span class="error-code"> ({error.code})</span> : null}
      </p>
      {error.details.length > 0 ? (
        <ul>
          {error.details.map((d) => (
            <li key={`${d.field}-${d.message}`}>
              <code>{d.field}</code>: {d.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

/**
 * A modal confirmation on the native <dialog>: the browser traps focus inside, Escape cancels,
 * and focus returns to the button that opened it. Cancel has the focus first.
 */
export function ConfirmDialog({ open, title, children, confirmLabel, danger, onConfirm, onCancel }: ConfirmProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={onCancel} onClose={() => open && onCancel()}>
      <h2 id="confirm-title">{title}</h2>
      <div>{children}</div>
      <div class="actions">
        {/* biome-ignore lint/a11y/noAutofocus: a dialog should focus its safe choice when it opens */}
        <button type="button" autoFocus onClick={onCancel}>
          Cancel
        </button>
        <button type="button" class={danger ? 'danger' : 'primary'} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** Copies `text` and says so; falls back to selecting it when the clipboard is not available. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('copied');
    } catch {
      setDone('failed');
    }
    setTimeout(() => setDone(null), 2500);
  };
  return (
    <>
      <button type="button" onClick={copy}>
        {label}
      </button>
      <span class="muted" role="status">
        {done === 'copied' ? 'Copied.' : done === 'failed' ? 'Copy is not allowed here: select the text instead.' : ''}
      </span>
    </>
  );
}

interface PaginationProps {
  page: number;
  limit: number;
  total: number;
  label: string;
  hrefOf?: (page: number) => string;
  onPage?: (page: number) => void;
}

/** Previous / next, as links when pages have addresses, else as buttons. */
export function Pagination({ page, limit, total, label, hrefOf, onPage }: PaginationProps) {
  const pages = Math.max(1, Math.ceil(total / limit));
  if (pages <= 1) return null;
  const go = (target: number, text: string, rel: string) => {
    const disabled = target < 1 || target > pages;
    if (disabled) return <span class="disabled">{text}</span>;
    if (hrefOf)
      return (
        <a href={hrefOf(target)} rel={rel}>
          {text}
        </a>
      );
    return (
      <button type="button" onClick={() => onPage?.(target)}>
        {text}
      </button>
    );
  };
  return (
    <nav class="pagination" aria-label={label}>
      {go(page - 1, '← Previous', 'prev')}
      <span>
        Page {page} of {pages}
      </span>
      {go(page + 1, 'Next →', 'next')}
    </nav>
  );
}
