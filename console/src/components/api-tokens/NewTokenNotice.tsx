"use client";

import { useEffect, useRef } from "react";
import { CopyButton } from "../CopyButton";

export interface NewToken {
  name: string;
  secret: string;
}

export function NewTokenNotice({ token, onDismiss }: { token: NewToken; onDismiss: () => void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  return (
    <section className="panel panel--highlight" aria-labelledby="new-token-heading">
      <h2 id="new-token-heading" ref={headingRef} tabIndex={-1} className="panel__title">
        Token “{token.name}” created
      </h2>
      <p className="panel__description">
        Copy it now and keep it somewhere safe. <strong>It won't be shown again.</strong>
      </p>
      <div className="secret">
        <label className="visually-hidden" htmlFor="new-token-value">
          New API token
        </label>
        <input
          id="new-token-value"
          className="field__input secret__value"
          readOnly
          value={token.secret}
          spellCheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
        <CopyButton text={token.secret} label="Copy token" />
      </div>
      <div className="form__actions">
        <button type="button" className="button button--primary" onClick={onDismiss}>
          I've copied it
        </button>
      </div>
    </section>
  );
}
