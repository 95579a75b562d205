import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="stack">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link href="/">Back to the start</Link>
      </p>
    </div>
  );
}
