/** Chart.js, with only the parts the dashboard draws: bar charts. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js'

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip)
Chart.defaults.font.family =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
Chart.defaults.color = '#333'
Chart.defaults.animation = false

/**
 * Okabe–Ito, a palette told apart with any colour vision, then grey: one colour per model
 * (or lookback window), always the same one.
 */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#8C7A00',
  '#000000',
  '#888888',
]

export interface BarSeries {
  label: string
  data: number[]
  color: string
}

export interface BarChartOptions {
  labels: string[]
  series: BarSeries[]
  /** Formats a value on the axis and in the tooltip. */
  format: (value: number) => string
  /** Horizontal bars (long category names). */
  horizontal?: boolean
  legend?: boolean
}

const charts = new WeakMap<HTMLCanvasElement, Chart>()

/** Draws (or redraws) a bar chart on `canvas`; `description` is what a screen reader says. */
export function barChart(
  canvas: HTMLCanvasElement,
  options: BarChartOptions,
  description: string,
): void {
  canvas.setAttribute('role', 'img')
  canvas.setAttribute('aria-label', description)
  const valueAxis = {
    beginAtZero: true,
    ticks: { callback: (value: string | number) => options.format(Number(value)) },
    grid: { color: '#e3e3e3' },
  }
  const categoryAxis = { grid: { display: false }, ticks: { autoSkip: false } }
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: options.labels,
      datasets: options.series.map((series) => ({
        label: series.label,
        data: series.data,
        backgroundColor: series.color,
        borderWidth: 0,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: options.horizontal ? 'y' : 'x',
      scales: options.horizontal
        ? { x: valueAxis, y: categoryAxis }
        : { x: { ...categoryAxis, ticks: { autoSkip: true, maxRotation: 40 } }, y: valueAxis },
      plugins: {
        legend: { display: options.legend ?? options.series.length > 1, position: 'bottom' },
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label}: ${options.format(Number(item.raw))}`,
          },
        },
      },
    },
  }
  charts.get(canvas)?.destroy()
  charts.set(canvas, new Chart(canvas, config))
}
