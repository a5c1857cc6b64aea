package traffic

// Guards around arrow-go's IPC decoding, which trusts its input: a corrupt
// length in an Arrow schema can make it allocate tens of gigabytes (a
// fatal, unrecoverable out-of-memory error), and a corrupt record batch can
// yield arrays shorter than they claim, which would panic later in whatever
// code reads them. So every IPC message's metadata is verified before the
// ipc package sees it, every decoded array is checked against its buffers,
// and every allocation made while decoding a file is capped.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// cappedAllocator panics (and protect turns the panic into an input error)
// when one allocation exceeds max bytes.
type cappedAllocator struct {
	memory.Allocator
	max int
}

// allocatorFor returns an allocator for decoding a file of size bytes: no
// single buffer may exceed 16 times the file size or 512 MiB, whichever is
// larger.
func allocatorFor(size int64) memory.Allocator {
	max := int64(512 << 20)
	if s := 16 * size; s > max {
		max = s
	}
	if max > int64(^uint(0)>>1) {
		max = int64(^uint(0) >> 1)
	}
	return cappedAllocator{Allocator: memory.DefaultAllocator, max: int(max)}
}

func (a cappedAllocator) check(n int) {
	if n > a.max {
		panic(fmt.Errorf("a %d-byte buffer exceeds the %d-byte limit for this file", n, a.max))
	}
}

func (a cappedAllocator) Allocate(n int) []byte {
	a.check(n)
	return a.Allocator.Allocate(n)
}

func (a cappedAllocator) Reallocate(n int, b []byte) []byte {
	a.check(n)
	return a.Allocator.Reallocate(n, b)
}

var errMetadata = errors.New("malformed Arrow IPC metadata")

// fbVerifier checks that a flatbuffer's tables, vectors and strings lie
// inside the buffer, for the Arrow message tables the reader decodes.
type fbVerifier struct {
	b     []byte
	depth int
}

type fbTable struct{ pos, vt, vtsize, size int }

func (v *fbVerifier) u16(p int) (int, error) {
	if p < 0 || p+2 > len(v.b) {
		return 0, errMetadata
	}
	return int(binary.LittleEndian.Uint16(v.b[p:])), nil
}

func (v *fbVerifier) u32(p int) (int64, error) {
	if p < 0 || p+4 > len(v.b) {
		return 0, errMetadata
	}
	return int64(binary.LittleEndian.Uint32(v.b[p:])), nil
}

func (v *fbVerifier) table(pos int) (fbTable, error) {
	so, err := v.u32(pos)
	if err != nil {
		return fbTable{}, err
	}
	vt := int64(pos) - int64(int32(uint32(so)))
	if vt < 0 || vt > int64(len(v.b)) {
		return fbTable{}, errMetadata
	}
	vtsize, err := v.u16(int(vt))
	if err != nil {
		return fbTable{}, err
	}
	size, err := v.u16(int(vt) + 2)
	if err != nil {
		return fbTable{}, err
	}
	if vtsize < 4 || vtsize%2 != 0 || int(vt)+vtsize > len(v.b) || size < 4 || pos+size > len(v.b) {
		return fbTable{}, errMetadata
	}
	return fbTable{pos: pos, vt: int(vt), vtsize: vtsize, size: size}, nil
}

// field returns the absolute position of field i of t, 0 when absent.
func (v *fbVerifier) field(t fbTable, i, width int) (int, error) {
	if 4+2*i >= t.vtsize {
		return 0, nil
	}
	o, err := v.u16(t.vt + 4 + 2*i)
	if err != nil || o == 0 {
		return 0, err
	}
	if o+width > t.size {
		return 0, errMetadata
	}
	return t.pos + o, nil
}

// indirect follows the offset stored in field i; 0 when absent.
func (v *fbVerifier) indirect(t fbTable, i int) (int, error) {
	p, err := v.field(t, i, 4)
	if err != nil || p == 0 {
		return 0, err
	}
	o, err := v.u32(p)
	if err != nil {
		return 0, err
	}
	target := int64(p) + o
	if target+4 > int64(len(v.b)) {
		return 0, errMetadata
	}
	return int(target), nil
}

// vector checks field i as a vector of n elements of width bytes and
// returns where its elements start and how many there are.
func (v *fbVerifier) vector(t fbTable, i, width int) (int, int, error) {
	p, err := v.indirect(t, i)
	if err != nil || p == 0 {
		return 0, 0, err
	}
	n, _ := v.u32(p)
	if n*int64(width) > int64(len(v.b)-p-4) {
		return 0, 0, errMetadata
	}
	return p + 4, int(n), nil
}

func (v *fbVerifier) str(t fbTable, i int) error {
	start, n, err := v.vector(t, i, 1)
	if err == nil && start > 0 && start+n >= len(v.b) { // room for the NUL
		err = errMetadata
	}
	return err
}

func (v *fbVerifier) sub(t fbTable, i int, check func(fbTable) error) error {
	p, err := v.indirect(t, i)
	if err != nil || p == 0 {
		return err
	}
	st, err := v.table(p)
	if err != nil {
		return err
	}
	if check == nil {
		return nil
	}
	return check(st)
}

func (v *fbVerifier) tables(t fbTable, i int, check func(fbTable) error) error {
	start, n, err := v.vector(t, i, 4)
	if err != nil {
		return err
	}
	for k := 0; k < n; k++ {
		p := start + 4*k
		o, _ := v.u32(p)
		tp := int64(p) + o
		if tp+4 > int64(len(v.b)) {
			return errMetadata
		}
		st, err := v.table(int(tp))
		if err != nil {
			return err
		}
		if err := check(st); err != nil {
			return err
		}
	}
	return nil
}

func (v *fbVerifier) keyValue(t fbTable) error {
	if err := v.str(t, 0); err != nil {
		return err
	}
	return v.str(t, 1)
}

func (v *fbVerifier) fieldTable(t fbTable) error {
	if v.depth++; v.depth > 64 {
		return errMetadata
	}
	defer func() { v.depth-- }()
	if err := v.str(t, 0); err != nil {
		return err
	}
	tt, err := v.field(t, 2, 1)
	if err != nil {
		return err
	}
	typ := 0
	if tt != 0 {
		typ = int(v.b[tt])
	}
	err = v.sub(t, 3, func(st fbTable) error {
		switch typ {
		case 10: // Timestamp: unit, timezone
			return v.str(st, 1)
		case 14: // Union: mode, typeIds
			_, _, err := v.vector(st, 1, 4)
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := v.sub(t, 4, func(st fbTable) error { return v.sub(st, 1, nil) }); err != nil {
		return err
	}
	if err := v.tables(t, 5, v.fieldTable); err != nil {
		return err
	}
	return v.tables(t, 6, v.keyValue)
}

func (v *fbVerifier) schema(t fbTable) error {
	if err := v.tables(t, 1, v.fieldTable); err != nil {
		return err
	}
	if err := v.tables(t, 2, v.keyValue); err != nil {
		return err
	}
	_, _, err := v.vector(t, 3, 8)
	return err
}

func (v *fbVerifier) recordBatch(t fbTable) error {
	for _, f := range []struct{ i, width int }{{1, 16}, {2, 16}, {4, 8}} {
		if _, _, err := v.vector(t, f.i, f.width); err != nil {
			return err
		}
	}
	return v.sub(t, 3, nil)
}

// verifyMessage checks one IPC Message flatbuffer and returns its body
// length.
func verifyMessage(meta []byte) (int64, error) {
	v := &fbVerifier{b: meta}
	root, err := v.u32(0)
	if err != nil {
		return 0, err
	}
	t, err := v.table(int(root))
	if err != nil {
		return 0, err
	}
	ht, err := v.field(t, 1, 1)
	if err != nil {
		return 0, err
	}
	header := 0
	if ht != 0 {
		header = int(meta[ht])
	}
	err = v.sub(t, 2, func(st fbTable) error {
		switch header {
		case 1:
			return v.schema(st)
		case 2: // DictionaryBatch: id, data (RecordBatch), isDelta
			return v.sub(st, 1, v.recordBatch)
		case 3:
			return v.recordBatch(st)
		}
		return fmt.Errorf("%w: unsupported message type %d", errMetadata, header)
	})
	if err != nil {
		return 0, err
	}
	if err := v.tables(t, 4, v.keyValue); err != nil {
		return 0, err
	}
	bl, err := v.field(t, 3, 8)
	if err != nil || bl == 0 {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint64(meta[bl:])), nil
}

// checkedStream passes an Arrow IPC stream through, verifying each
// message's metadata before handing it on.
type checkedStream struct {
	r       io.Reader
	limit   int64 // largest plausible metadata or body: the file's size
	pending []byte
	body    int64
	done    bool
}

func (c *checkedStream) Read(p []byte) (int, error) {
	for {
		if len(c.pending) > 0 {
			n := copy(p, c.pending)
			c.pending = c.pending[n:]
			return n, nil
		}
		if c.body > 0 {
			if int64(len(p)) > c.body {
				p = p[:c.body]
			}
			n, err := c.r.Read(p)
			c.body -= int64(n)
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return n, err
		}
		if c.done {
			return 0, io.EOF
		}
		if err := c.nextMessage(); err != nil {
			return 0, err
		}
	}
}

func (c *checkedStream) nextMessage() error {
	var hdr [8]byte
	n, err := io.ReadFull(c.r, hdr[:4])
	if n == 0 && err == io.EOF {
		c.done = true
		return nil
	}
	if err != nil {
		return io.ErrUnexpectedEOF
	}
	prefix := 4
	length := int64(binary.LittleEndian.Uint32(hdr[:4]))
	if length == 0xFFFFFFFF {
		if _, err := io.ReadFull(c.r, hdr[4:]); err != nil {
			return io.ErrUnexpectedEOF
		}
		prefix = 8
		length = int64(binary.LittleEndian.Uint32(hdr[4:]))
	}
	if length == 0 { // end of stream
		c.pending = append([]byte(nil), hdr[:prefix]...)
		c.done = true
		return nil
	}
	if length > c.limit || length < 4 {
		return fmt.Errorf("%w: message of %d bytes", errMetadata, length)
	}
	buf := make([]byte, prefix+int(length))
	copy(buf, hdr[:prefix])
	if _, err := io.ReadFull(c.r, buf[prefix:]); err != nil {
		return io.ErrUnexpectedEOF
	}
	body, err := verifyMessage(buf[prefix:])
	if err != nil {
		return err
	}
	if body < 0 || body > c.limit {
		return fmt.Errorf("%w: message body of %d bytes", errMetadata, body)
	}
	c.pending, c.body = buf, body
	return nil
}

// validateArray checks that an array's buffers hold what its length and
// offsets claim, for the types the reader hands out.
func validateArray(d arrow.ArrayData, depth int) error {
	if depth > 64 {
		return errors.New("nested too deeply")
	}
	n, off := int64(d.Len()), int64(d.Offset())
	if n < 0 || off < 0 {
		return errors.New("negative length or offset")
	}
	end := off + n
	bufs := d.Buffers()
	buf := func(i int) int64 {
		if i >= len(bufs) || bufs[i] == nil {
			return 0
		}
		return int64(bufs[i].Len())
	}
	if d.DataType().ID() != arrow.NULL && d.NullN() != 0 && len(bufs) > 0 && bufs[0] != nil && buf(0)*8 < end {
		return errors.New("validity bitmap too short")
	}
	if n == 0 {
		return nil
	}
	switch dt := d.DataType().(type) {
	case *arrow.NullType:
		return nil
	case *arrow.DictionaryType:
		idx, ok := dt.IndexType.(arrow.FixedWidthDataType)
		if !ok || buf(1)*8 < end*int64(idx.BitWidth()) {
			return errors.New("dictionary indices too short")
		}
		if d.Dictionary() == nil {
			return errors.New("missing dictionary")
		}
		return validateArray(d.Dictionary(), depth+1)
	case arrow.FixedWidthDataType:
		if buf(1)*8 < end*int64(dt.BitWidth()) {
			return errors.New("data buffer too short")
		}
		return nil
	case *arrow.StringType, *arrow.BinaryType:
		return checkOffsets(bufs, off, n, 4, buf(2))
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		return checkOffsets(bufs, off, n, 8, buf(2))
	case *arrow.ListType, *arrow.MapType, *arrow.LargeListType:
		width := 4
		if dt.ID() == arrow.LARGE_LIST {
			width = 8
		}
		if len(d.Children()) != 1 {
			return errors.New("list without values")
		}
		child := d.Children()[0]
		if err := checkOffsets(bufs, off, n, width, int64(child.Len())); err != nil {
			return err
		}
		return validateArray(child, depth+1)
	case *arrow.FixedSizeListType:
		if len(d.Children()) != 1 || int64(d.Children()[0].Len()) < end*int64(dt.Len()) {
			return errors.New("list values too short")
		}
		return validateArray(d.Children()[0], depth+1)
	case *arrow.StructType:
		if len(d.Children()) != dt.NumFields() {
			return errors.New("struct fields missing")
		}
		for _, c := range d.Children() {
			if int64(c.Len()) < end {
				return errors.New("struct field too short")
			}
			if err := validateArray(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("type %s is not supported", d.DataType())
}

// checkOffsets checks n+1 offsets from off: in the buffer, non-decreasing,
// and within [0, limit].
func checkOffsets(bufs []*memory.Buffer, off, n int64, width int, limit int64) error {
	if len(bufs) < 2 || bufs[1] == nil || int64(bufs[1].Len()) < (off+n+1)*int64(width) {
		return errors.New("offsets buffer too short")
	}
	b := bufs[1].Bytes()
	at := func(i int64) int64 {
		if width == 4 {
			return int64(int32(binary.LittleEndian.Uint32(b[i*4:])))
		}
		return int64(binary.LittleEndian.Uint64(b[i*8:]))
	}
	prev := at(off)
	if prev < 0 || prev > limit {
		return errors.New("offset out of range")
	}
	for i := off + 1; i <= off+n; i++ {
		o := at(i)
		if o < prev || o > limit {
			return errors.New("offsets out of order or out of range")
		}
		prev = o
	}
	return nil
}
