package traffic

import (
	"context"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/replaygate/replaygate/errs"
)

const defaultBatchSize = 8192

// prefetch is how many decoded batches wait for the consumer while the next
// one is decoded.
const prefetch = 2

// Options control Open.
type Options struct {
	Columns   []string // projection; nil = all columns
	BatchSize int      // rows per batch; 0 = 8192
}

// FileInfo describes one input file: the fingerprint a result records.
type FileInfo struct {
	Path   string
	Format string // FormatParquet, FormatArrow, FormatCSV, ...
	Rows   int64  // rows read (-1 from Inspect when unknown without a full read)
	SHA256 string // hex sha256 of the file's bytes, as stored (compressed when gzip)
}

// source is one file being read: batches whose columns are the stream's
// columns in the stream's order (types may still need conform).
type source interface {
	next() (arrow.RecordBatch, error) // io.EOF at the end
	finish() (rows int64, sha256 string, err error)
	close() error
}

// Reader streams record batches from every file of a pattern, in file
// order, with one schema. Its methods are meant for one goroutine; Close
// must be called to stop the reading goroutine when the stream is not read
// to the end.
type Reader struct {
	ctx    context.Context
	cancel context.CancelFunc
	schema *arrow.Schema
	probes []*probe
	batch  int
	proj   bool

	mu    sync.Mutex
	files []FileInfo

	once   sync.Once
	ch     chan item
	wg     sync.WaitGroup
	err    error // sticky: returned by every Next after the first error or io.EOF
	closed bool
}

type item struct {
	b   arrow.RecordBatch
	err error
}

// Open resolves pattern, reads every file's schema (Parquet and Arrow
// footers or headers; the first InferRows rows of CSV and JSON Lines
// files), unifies them, and validates the projection. Nothing else is read
// until Next.
func Open(ctx context.Context, pattern string, opts Options) (*Reader, error) {
	probes, err := probeAll(ctx, pattern)
	if err != nil {
		return nil, err
	}
	schema, err := unifySchemas(probes, opts.Columns)
	if err != nil {
		return nil, err
	}
	batch := opts.BatchSize
	if batch <= 0 {
		batch = defaultBatchSize
	}
	r := &Reader{schema: schema, probes: probes, batch: batch, proj: len(opts.Columns) > 0}
	r.ctx, r.cancel = context.WithCancel(ctx)
	r.files = make([]FileInfo, len(probes))
	for i, p := range probes {
		r.files[i] = FileInfo{Path: p.path, Format: p.format}
	}
	return r, nil
}

// Inspect returns the files a pattern names and their unified schema
// without reading the files in full. Rows is filled where the format
// records it (Parquet footers; text files shorter than InferRows rows) and
// -1 elsewhere; SHA256 is left empty.
func Inspect(ctx context.Context, pattern string) ([]FileInfo, *arrow.Schema, error) {
	probes, err := probeAll(ctx, pattern)
	if err != nil {
		return nil, nil, err
	}
	schema, err := unifySchemas(probes, nil)
	if err != nil {
		return nil, nil, err
	}
	files := make([]FileInfo, len(probes))
	for i, p := range probes {
		files[i] = FileInfo{Path: p.path, Format: p.format, Rows: p.rows}
	}
	return files, schema, nil
}

func probeAll(ctx context.Context, pattern string) ([]*probe, error) {
	paths, err := Resolve(pattern)
	if err != nil {
		return nil, err
	}
	probes := make([]*probe, len(paths))
	for i, path := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if probes[i], err = probeFile(path); err != nil {
			return nil, err
		}
	}
	return probes, nil
}

func probeFile(path string) (*probe, error) {
	k, _ := kindOf(path)
	switch k {
	case kindParquet:
		return parquetProbe(path)
	case kindArrow, kindArrowStream:
		return arrowProbe(path)
	case kindCSV:
		return csvProbe(path)
	case kindJSONL:
		return jsonlProbe(path)
	}
	return nil, errs.Input("supported: "+supportedList(), "%s: unsupported file type", path)
}

func (r *Reader) openSource(p *probe) (source, error) {
	switch k, _ := kindOf(p.path); k {
	case kindParquet:
		return openParquetSource(r.ctx, p, r.schema, r.batch)
	case kindArrow, kindArrowStream:
		return openArrowSource(p, r.schema)
	case kindCSV:
		return openCSV(p, r.schema, r.batch)
	case kindJSONL:
		return openJSONL(p, r.schema, r.batch, r.proj)
	}
	return nil, errs.Input("supported: "+supportedList(), "%s: unsupported file type", p.path)
}

// Schema is the schema of the batches Next returns: the projected columns
// in Options.Columns order, or every column.
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// Next returns the next batch of at most BatchSize rows, or io.EOF after
// the last one. The caller releases the batch. After an error or io.EOF,
// Next keeps returning it.
func (r *Reader) Next() (arrow.RecordBatch, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.closed {
		return nil, errs.Run("", "traffic reader used after Close")
	}
	r.once.Do(r.start)
	select {
	case it, ok := <-r.ch:
		switch {
		case !ok:
			r.err = io.EOF
		case it.err != nil:
			r.err = it.err
		default:
			return it.b, nil
		}
	case <-r.ctx.Done():
		r.err = r.ctx.Err()
	}
	return nil, r.err
}

// Files describes the input files in stream order. Path and Format are
// always set; Rows and SHA256 are complete once Next has returned io.EOF.
func (r *Reader) Files() []FileInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]FileInfo(nil), r.files...)
}

// Close stops reading and releases what is in flight. It is safe to call
// more than once.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.cancel()
	if r.ch != nil {
		for it := range r.ch {
			if it.b != nil {
				it.b.Release()
			}
		}
	}
	r.wg.Wait()
	return nil
}

func (r *Reader) start() {
	r.ch = make(chan item, prefetch)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(r.ch)
		if err := r.produce(); err != nil && r.ctx.Err() == nil {
			r.send(item{err: err})
		}
	}()
}

// send hands an item to Next; false when the reader was closed.
func (r *Reader) send(it item) bool {
	select {
	case r.ch <- it:
		return true
	case <-r.ctx.Done():
		if it.b != nil {
			it.b.Release()
		}
		return false
	}
}

// produce reads every file in order, sending conformed batches of at most
// r.batch rows.
func (r *Reader) produce() error {
	for i, p := range r.probes {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		src, err := r.openSource(p)
		if err != nil {
			return err
		}
		err = r.drain(src, p.path)
		var rows int64
		var sum string
		if err == nil {
			rows, sum, err = src.finish()
		}
		src.close()
		if err != nil {
			return err
		}
		r.mu.Lock()
		r.files[i].Rows, r.files[i].SHA256 = rows, sum
		r.mu.Unlock()
	}
	return nil
}

func (r *Reader) drain(src source, path string) error {
	for {
		b, err := src.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		out, err := conform(b, r.schema)
		b.Release()
		if err != nil {
			return errs.Input("", "%s: %v", path, err)
		}
		n := out.NumRows()
		if n <= int64(r.batch) {
			if n > 0 && !r.send(item{b: out}) {
				return r.ctx.Err()
			}
			if n == 0 {
				out.Release()
			}
			continue
		}
		for off := int64(0); off < n; off += int64(r.batch) {
			if !r.send(item{b: out.NewSlice(off, min(off+int64(r.batch), n))}) {
				out.Release()
				return r.ctx.Err()
			}
		}
		out.Release()
	}
}
