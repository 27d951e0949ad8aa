"use client";

import { useEffect, useRef } from "react";
import { CopyableValue } from "../CopyableValue";

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
      <CopyableValue label="New API token" value={token.secret} copyLabel="Copy token" />
      <div className="form__actions">
        <button type="button" className="button button--primary" onClick={onDismiss}>
          I've copied it
        </button>
      </div>
    </section>
  );
}
