import Link from "next/link";
import { explainProblem } from "@/lib/provider-errors";

/** A problem in words, with where to fix it and, folded away, the raw cause. */
export function ProblemText({ message, className }: { message: string; className?: string }) {
  const { sentence, next, details } = explainProblem(message);
  return (
    <div className={className}>
      <p>
        {sentence}
        {next ? (
          <>
            {" "}
            <Link href={next.href}>{next.label}</Link>
          </>
        ) : null}
      </p>
      {details ? (
        <details className="problem__details">
          <summary>Details</summary>
          <code>{details}</code>
        </details>
      ) : null}
    </div>
  );
}
