package column

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/replaygate/replaygate/errs"
)

func batch(t *testing.T) arrow.RecordBatch {
	t.Helper()
	mem := memory.DefaultAllocator
	f := array.NewFloat32Builder(mem)
	f.AppendValues([]float32{0.25, 0, 0.75}, []bool{true, false, true})
	i := array.NewInt64Builder(mem)
	i.AppendValues([]int64{1, 0, 1}, nil)
	s := array.NewStringBuilder(mem)
	s.AppendValues([]string{"a", "b", "c"}, nil)
	cols := []arrow.Array{f.NewArray(), i.NewArray(), s.NewArray()}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "shadow", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "flag", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBatch(schema, cols, 3)
	t.Cleanup(b.Release)
	return b
}

func TestPredict(t *testing.T) {
	b := batch(t)
	sc, err := New("shadow").Predict(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Score[0] != 0.25 || sc.Score[2] != 0.75 {
		t.Errorf("scores %v", sc.Score)
	}
	if sc.Errors == nil || sc.Errors[1] == "" || sc.ErrorClass[1] != "missing" || sc.Errors[0] != "" {
		t.Errorf("a null score must be a per-row missing error: %q %q", sc.Errors, sc.ErrorClass)
	}
	sc, err = New("flag").Predict(context.Background(), b)
	if err != nil || sc.Score[0] != 1 || sc.Errors != nil {
		t.Errorf("int column: %v %v", sc, err)
	}
}

func TestBindErrors(t *testing.T) {
	b := batch(t)
	for _, tc := range []struct{ col, want string }{
		{"nope", `score column "nope" is not in the traffic`},
		{"name", `score column "name" is utf8, not a number`},
	} {
		err := New(tc.col).Bind(b.Schema())
		if err == nil || !strings.Contains(err.Error(), tc.want) || errs.Code(err) != errs.CodeInput {
			t.Errorf("%s: %v, want input error %q", tc.col, err, tc.want)
		}
	}
}

func TestNewJoinedRejectsDuplicateIDs(t *testing.T) {
	path := t.TempDir() + "/scores.csv"
	if err := os.WriteFile(path, []byte("id,score\na,0.1\nb,0.2\na,0.3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := NewJoined(context.Background(), path, "id", "score")
	if err == nil || !strings.Contains(err.Error(), `request id "a" has more than one score`) || errs.Code(err) != errs.CodeInput {
		t.Fatalf("err = %v, want an input error naming the duplicate id", err)
	}
}
