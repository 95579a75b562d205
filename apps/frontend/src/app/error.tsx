'use client';

export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <div className="stack" role="alert">
      <h1>Something went wrong</h1>
      <p>The page could not be shown. Please try again in a moment.</p>
      <div className="actions">
        <button type="button" className="button primary" onClick={reset}>
          Try again
        </button>
      </div>
    </div>
  );
}
