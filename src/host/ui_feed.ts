// Which of a run's rows the UI gets, and when. Flat out (speed null, running) the engine makes
// rows far faster than anyone can read them, and shipping every one through the host, the
// WebSocket and the renderer costs the engine ~10% of its speed (issue 4). So while flat out
// the UI gets a preview: the first row of each of PREVIEW_BUCKETS time buckets over the run
// (the shape of every curve at chart resolution) plus the last row of every frame (the live
// edge). When the run leaves flat out (pause, step, stop, end, a finite speed), resync() sends
// every row the UI does not hold in full, from the first row the preview stood in for. A frame
// replaces the UI's rows from its first t_ms on (LabEvents.frame), so after a resync the UI
// holds exactly the recorder's rows: zoomed in after the run, a chart shows every sample.
import { COL, NR_SAMPLE_COLUMNS } from '../common/samples'
import type { Recorder } from './recorder'

/** Time buckets over the whole run while flat out: a chart is ~1000-2000 px wide. */
export const PREVIEW_BUCKETS = 2000
/** Rows per frame when resyncing (~5 MB), so one message never carries a whole long run. */
export const RESYNC_FRAME_ROWS = 32768

export interface FrameSink {
  frame(runId: string, rows: number, data: Float64Array): void
}

export class UiFeed {
  /** The UI holds recorder rows [0, fullRows) exactly; later rows at most as a preview. */
  private fullRows = 0
  private lastBucket = -1
  private readonly bucket_ms: number

  constructor(
    private readonly runId: string,
    private readonly recorder: Recorder,
    private readonly sink: FrameSink,
    duration_ms: number,
    sampleInterval_ms: number,
  ) {
    this.bucket_ms = Math.max(sampleInterval_ms, duration_ms / PREVIEW_BUCKETS)
  }

  /** Rows the UI holds in full (a prefix of the recorder's). */
  get rowsInFull(): number {
    return this.fullRows
  }

  /** The recorder has just appended these `rows` rows of `data`; `preview` while flat out. */
  recorded(data: Float64Array, rows: number, preview: boolean): void {
    if (rows === 0) return
    const first = this.recorder.rowCount - rows
    if (!preview) {
      if (this.fullRows === first) {
        this.sink.frame(this.runId, rows, data)
        this.fullRows += rows
      } else {
        this.resync()
      }
      return
    }
    const picked: number[] = []
    for (let r = 0; r < rows; r++) {
      const bucket = Math.floor(data[r * NR_SAMPLE_COLUMNS + COL.t_ms] / this.bucket_ms)
      if (bucket > this.lastBucket || r === rows - 1) {
        picked.push(r)
        this.lastBucket = Math.max(this.lastBucket, bucket)
      }
    }
    const thinned = new Float64Array(picked.length * NR_SAMPLE_COLUMNS)
    picked.forEach((r, i) => thinned.set(data.subarray(r * NR_SAMPLE_COLUMNS, (r + 1) * NR_SAMPLE_COLUMNS), i * NR_SAMPLE_COLUMNS))
    this.sink.frame(this.runId, picked.length, thinned)
  }

  /** Sends, in order, every recorded row the UI does not hold in full. */
  resync(): void {
    const total = this.recorder.rowCount
    while (this.fullRows < total) {
      const rows = Math.min(RESYNC_FRAME_ROWS, total - this.fullRows)
      this.sink.frame(this.runId, rows, this.recorder.readRows(this.fullRows, rows))
      this.fullRows += rows
    }
  }
}
