"use client";

import Link from "next/link";
import { useMemo } from "react";
import { useQuery } from "urql";
import { ConsoleOverviewDocument } from "@slipway/sdk";
import { checklistSteps } from "@/lib/getting-started";

/** The steps from an empty install to a deployed service with a domain; gone once all are done. */
export function GettingStarted() {
  // Refreshed when any of what it counts changes.
  const context = useMemo(() => ({ additionalTypenames: ["Project", "Service", "Server", "Credential", "Deployment"] }), []);
  const [{ data }] = useQuery({ query: ConsoleOverviewDocument, context });
  if (!data) return null;
  const steps = checklistSteps(data.overview);
  const done = steps.filter((s) => s.done).length;
  if (done === steps.length) return null;
  const next = steps.find((s) => !s.done);
  return (
    <section className="panel checklist" aria-labelledby="getting-started-heading">
      <div className="panel__head">
        <h2 id="getting-started-heading" className="panel__title">
          Getting started
        </h2>
        <span className="muted">
          {done} of {steps.length} done
        </span>
      </div>
      <ol className="checklist__steps">
        {steps.map((step) => (
          <li key={step.id} className={step.done ? "checklist__step checklist__step--done" : "checklist__step"}>
            <span className="checklist__mark" aria-hidden="true">
              {step.done ? "✓" : ""}
            </span>
            <div className="checklist__text">
              <p className="checklist__title">
                {step.title}
                <span className="visually-hidden">{step.done ? " (done)" : " (to do)"}</span>
              </p>
              <p className="checklist__why">{step.why}</p>
            </div>
            {step.done ? null : (
              <Link className={step === next ? "button button--primary button--small" : "button button--secondary button--small"} href={step.href}>
                {step.action}
              </Link>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
