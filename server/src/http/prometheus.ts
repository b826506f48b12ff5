export interface MetricSample {
  name: string;
  help: string;
  value: number;
  /** Defaults to gauge. */
  type?: 'gauge' | 'counter';
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Prometheus text exposition format, one HELP/TYPE/value block per sample. */
export function formatPrometheus(samples: readonly MetricSample[]): string {
  return samples
    .map((s) => {
      const help = s.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
      return `# HELP ${s.name} ${help}\n# TYPE ${s.name} ${s.type ?? 'gauge'}\n${s.name} ${formatValue(s.value)}\n`;
    })
    .join('');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
