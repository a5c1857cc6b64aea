package pipeline

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/replay"
	"github.com/replaygate/replaygate/traffic"
)

// progress draws one self-updating line on a terminal: rows, rows/s,
// errors and, when the total is known, the share done and an ETA.
type progress struct {
	w            io.Writer
	total        int64 // 0 = unknown
	rows, errors atomic.Int64
	start        time.Time
	done         chan struct{}
	once         sync.Once
	wg           sync.WaitGroup
}

func newProgress(w io.Writer, total int64) *progress {
	p := &progress{w: w, total: total, start: time.Now(), done: make(chan struct{})}
	if w == nil {
		return p
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.draw()
			case <-p.done:
				return
			}
		}
	}()
	return p
}

// add counts a scored batch.
func (p *progress) add(b arrow.RecordBatch) {
	p.rows.Add(b.NumRows())
	if idx := b.Schema().FieldIndices(replay.ErrorColumn("candidate")); len(idx) > 0 {
		c := b.Column(idx[0])
		p.errors.Add(int64(c.Len() - c.NullN()))
	}
}

func (p *progress) draw() {
	rows, errs := p.rows.Load(), p.errors.Load()
	el := time.Since(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(rows) / el
	}
	line := fmt.Sprintf("replaying  %d rows", rows)
	if p.total > 0 {
		line = fmt.Sprintf("replaying  %d/~%d rows (%.0f%%)", rows, p.total, 100*float64(rows)/float64(p.total))
		if rate > 0 && rows < p.total {
			line += fmt.Sprintf("  ETA %s", time.Duration(float64(p.total-rows)/rate*float64(time.Second)).Round(time.Second))
		}
	}
	line += fmt.Sprintf("  %.0f rows/s  %d errors", rate, errs)
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
}

// stop ends the line; it is safe to call more than once.
func (p *progress) stop() {
	p.once.Do(func() {
		close(p.done)
		p.wg.Wait()
		if p.w != nil {
			fmt.Fprint(p.w, "\r\x1b[K")
		}
	})
}

// totalRows is the expected row count when every file's footer tells it
// (Parquet, Arrow), times the sample share; 0 when unknown.
func totalRows(files []traffic.FileInfo, sample float64) int64 {
	var n int64
	for _, f := range files {
		if f.Rows < 0 {
			return 0
		}
		n += f.Rows
	}
	return int64(float64(n) * sample)
}
