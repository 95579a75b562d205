'use client';

import type { TaskFilter } from '../lib/types';

const FILTERS: { value: TaskFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'pending', label: 'Pending' },
  { value: 'completed', label: 'Completed' },
];

interface TaskFilterBarProps {
  value: TaskFilter;
  /** Shown once the tasks are loaded. */
  counts?: Record<TaskFilter, number>;
  onChange: (filter: TaskFilter) => void;
}

export function TaskFilterBar({ value, counts, onChange }: TaskFilterBarProps) {
  return (
    <div className="filters" role="group" aria-label="Show tasks">
      {FILTERS.map((filter) => (
        <button
          key={filter.value}
          type="button"
          className="button chip"
          aria-pressed={value === filter.value}
          onClick={() => onChange(filter.value)}
        >
          {filter.label}
          {counts ? <span className="count"> ({counts[filter.value]})</span> : null}
        </button>
      ))}
    </div>
  );
}
