import Link from "next/link";

export default function NotFound() {
  return (
    <main className="centered">
      <div className="empty">
        <h1 className="empty__title">Page not found</h1>
        <p className="empty__body">There is nothing at this address.</p>
        <Link href="/">Go to projects</Link>
      </div>
    </main>
  );
}
