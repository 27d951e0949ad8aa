"use client";

import { useId, useState, type DragEvent } from "react";

const ACCEPT = ".tar.gz,.tgz,.tar,.zip";

/** A file input that also takes a dropped archive; the input stays the keyboard and screen-reader path. */
export function ArchiveDrop({
  file,
  onFile,
  error,
}: {
  file: File | null;
  onFile: (file: File | null) => void;
  error?: string | null;
}) {
  const id = useId();
  const [over, setOver] = useState(false);

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setOver(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped) onFile(dropped);
  }

  return (
    <div className="field">
      <span className="field__label" id={`${id}-label`}>
        Archive
      </span>
      <div
        className={over ? "dropzone dropzone--over" : "dropzone"}
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="archive-drop"
      >
        <p className="dropzone__text">
          {file ? (
            <>
              <strong>{file.name}</strong> · {formatBytes(file.size)}
            </>
          ) : (
            "Drop a .tar.gz, .tar or .zip of your app here, or"
          )}
        </p>
        <label className="button button--secondary" htmlFor={id}>
          {file ? "Choose another file" : "Choose a file"}
        </label>
        <input
          id={id}
          className="visually-hidden"
          type="file"
          name="archive"
          accept={ACCEPT}
          aria-labelledby={`${id}-label`}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : `${id}-hint`}
          onChange={(event) => onFile(event.currentTarget.files?.[0] ?? null)}
        />
      </div>
      {error ? (
        <p id={`${id}-error`} className="field__error">
          {error}
        </p>
      ) : null}
      <p id={`${id}-hint`} className="field__hint">
        The app&apos;s source. Without a Dockerfile, Slipway generates one.
      </p>
    </div>
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
