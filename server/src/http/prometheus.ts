export interface MetricSample {
  name: string;
  help: string;
  value: number;
  /** Defaults to gauge. */
  type?: 'gauge' | 'counter';
  /** Samples of one name that differ by label (one per broadcast) form one metric family. */
  labels?: Readonly<Record<string, string>>;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Prometheus text exposition format: one HELP/TYPE block per name (from its first sample), followed by
 * every sample of that name, as the format wants a family's lines together.
 */
export function formatPrometheus(samples: readonly MetricSample[]): string {
  const families = new Map<string, MetricSample[]>();
  for (const s of samples) {
    const family = families.get(s.name);
    if (family) family.push(s);
    else families.set(s.name, [s]);
  }
  return [...families.entries()]
    .map(([name, family]) => {
      const { help, type = 'gauge' } = family[0]!;
      const lines = family.map((s) => `${name}${formatLabels(s.labels)} ${formatValue(s.value)}\n`);
      return `# HELP ${name} ${escape(help)}\n# TYPE ${name} ${type}\n${lines.join('')}`;
    })
    .join('');
}

function formatLabels(labels: MetricSample['labels']): string {
  if (!labels) return '';
  return `{${Object.entries(labels).map(([k, v]) => `${k}="${escape(v).replace(/"/g, '\\"')}"`).join(',')}}`;
}

/** Backslashes and line breaks, escaped as both HELP text and label values want them. */
function escape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
