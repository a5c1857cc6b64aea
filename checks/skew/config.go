package skew

import (
	"fmt"
	"math"
	"slices"

	"github.com/replaygate/replaygate/checks"
	"github.com/replaygate/replaygate/errs"
)

// Distance names accepted by Method.Name.
const (
	MethodPSI         = "psi"         // population stability index, decile bins (numeric) or top values + other
	MethodJS          = "js"          // Jensen–Shannon distance, base 2, same bins
	MethodKS          = "ks"          // Kolmogorov–Smirnov statistic D (numeric only)
	MethodWasserstein = "wasserstein" // Wasserstein-1 / reference standard deviation (numeric only)
	MethodLInf        = "linf"        // largest difference of category shares (categorical only)
	MethodChi2        = "chi2"        // Cohen's w of the chi-square test of homogeneity (categorical only)
)

// Default column names.
const (
	DefaultCandidateScore  = "candidate_score"
	DefaultProductionScore = "production_score"
	DefaultIDColumn        = "request_id"
)

// Method is a distance and its two gates: a feature whose distance is
// above Warn warns, above Fail fails. The gates are on the distance (an
// effect size), never on a p-value.
type Method struct {
	Name       string
	Warn, Fail float64
}

// DefaultNumeric and DefaultCategorical are the methods used when a Config
// leaves them zero (DESIGN §1).
var (
	DefaultNumeric     = Method{Name: MethodPSI, Warn: 0.1, Fail: 0.25}
	DefaultCategorical = Method{Name: MethodLInf, Warn: 0.1, Fail: 0.2}
	DefaultPrediction  = Method{Name: MethodPSI, Warn: 0.1, Fail: 0.25}
)

// PredictionConfig compares the distribution of the candidate's scores
// with the logged baseline scores of the same traffic.
type PredictionConfig struct {
	Method Method // zero = DefaultPrediction; a numeric method
	// Thresholds adds one informational outcome skew.flip_rate@<t> per
	// value: the share of rows whose decision (score >= t) differs between
	// candidate and baseline; with Config.Segments, also one
	// skew.flip_rate@<t>[<column>=<value>] per segment value.
	Thresholds []float64
	// MaxFlipRate, when set, gates every flip rate, overall and per
	// segment: share <= limit.
	MaxFlipRate *float64
}

// ConsistencyConfig compares the replayed production replica's score with
// the score production logged for the same row.
type ConsistencyConfig struct {
	// Tolerance: a row mismatches when |replayed − logged| > Tolerance, or
	// when one of the two is missing (null, NaN, ±Inf) and the other not.
	Tolerance float64
	// MaxMismatchRate gates mismatched rows / compared rows.
	MaxMismatchRate float64
}

// Config is the skew check's configuration.
type Config struct {
	// Features to compare; nil = every numeric or string column of the
	// reference, less Exclude. Columns that look like identifiers (string
	// columns with more distinct values than TopValues, covering over half
	// of the rows) are left out of the automatic list with a skip outcome.
	Features []string
	Exclude  []string
	// Numeric and Categorical are the default methods (zero = DefaultNumeric,
	// DefaultCategorical); PerFeature overrides them by feature name.
	Numeric     Method
	Categorical Method
	PerFeature  map[string]Method
	// MaxDriftedShare gates skew.drifted_share: the share of compared
	// features whose distance is above their Fail gate. nil = informational.
	MaxDriftedShare *float64
	// Severity of a broken gate: "fail" (default, also "") or "warn".
	Severity string

	// BaselineScore is the traffic column with the score production logged;
	// needed by Prediction and Consistency.
	BaselineScore string
	// CandidateScore and ProductionScore name the replayed score columns
	// ("" = DefaultCandidateScore, DefaultProductionScore); IDColumn names
	// the row id quoted in examples ("" = DefaultIDColumn).
	CandidateScore, ProductionScore, IDColumn string
	Prediction                                *PredictionConfig
	Consistency                               *ConsistencyConfig

	// ReservoirSize bounds the reference sample of each numeric feature
	// (and of each score of the prediction comparison); 0 =
	// stats.DefaultReservoirSize. TopValues is the number of categorical
	// values with a bin of their own (0 = stats.DefaultTopValues). Seed
	// seeds the reservoirs.
	ReservoirSize int
	TopValues     int
	Seed          uint64

	// Segments are traffic columns (country, platform) whose values split
	// the traffic: for the SegmentTopK features with the largest distance
	// (0 = DefaultSegmentTopK) the check adds one outcome per segment
	// value, skew.<feature>[<column>=<value>]. Every compared feature keeps
	// its traffic state per value (at most MaxSegmentValues per column, the
	// rest counted under "(other)"), about 4 KB per numeric feature and
	// value: 30 numeric features × 2 columns × 51 values ≈ 12 MB.
	Segments    []string
	SegmentTopK int
}

// DefaultSegmentTopK is the number of features compared per segment when
// Config.SegmentTopK is 0.
const DefaultSegmentTopK = 3

const where = "checks.skew"

func checkMethod(key string, m Method, allowed []string) error {
	if !slices.Contains(allowed, m.Name) {
		return errs.Input(fmt.Sprintf("use one of %v", allowed), "%s.%s.method: unknown or unsupported method %q", where, key, m.Name)
	}
	if !(m.Warn >= 0) || !(m.Fail >= 0) || math.IsInf(m.Warn, 0) || math.IsInf(m.Fail, 0) {
		return errs.Input("write non-negative numbers, e.g. warn: 0.1, fail: 0.25", "%s.%s: warn %v and fail %v must be finite and non-negative", where, key, m.Warn, m.Fail)
	}
	if m.Warn > m.Fail {
		return errs.Input("warn is the lower gate: set warn <= fail", "%s.%s: warn %v is above fail %v", where, key, m.Warn, m.Fail)
	}
	return nil
}

var (
	numericMethods     = []string{MethodPSI, MethodJS, MethodKS, MethodWasserstein}
	categoricalMethods = []string{MethodLInf, MethodPSI, MethodJS, MethodChi2}
)

func orDefault(m, d Method) Method {
	if m == (Method{}) {
		return d
	}
	if m.Name == "" {
		m.Name = d.Name
	}
	return m
}

func share(key string, v *float64) error {
	if v != nil && !(*v >= 0 && *v <= 1) {
		return errs.Input("write a share between 0 and 1, e.g. 0.001 for 0.1%", "%s.%s: %v is not between 0 and 1", where, key, *v)
	}
	return nil
}

// normalize fills defaults and validates cfg.
func normalize(cfg Config) (Config, checks.Status, error) {
	var sev checks.Status
	switch cfg.Severity {
	case "", "fail":
		sev = checks.Fail
	case "warn":
		sev = checks.Warn
	default:
		return cfg, "", errs.Input("use fail or warn", "%s.severity: unknown severity %q", where, cfg.Severity)
	}
	cfg.Numeric = orDefault(cfg.Numeric, DefaultNumeric)
	cfg.Categorical = orDefault(cfg.Categorical, DefaultCategorical)
	if err := checkMethod("numeric", cfg.Numeric, numericMethods); err != nil {
		return cfg, "", err
	}
	if err := checkMethod("categorical", cfg.Categorical, categoricalMethods); err != nil {
		return cfg, "", err
	}
	if err := share("max_drifted_share", cfg.MaxDriftedShare); err != nil {
		return cfg, "", err
	}
	if cfg.CandidateScore == "" {
		cfg.CandidateScore = DefaultCandidateScore
	}
	if cfg.ProductionScore == "" {
		cfg.ProductionScore = DefaultProductionScore
	}
	if cfg.IDColumn == "" {
		cfg.IDColumn = DefaultIDColumn
	}
	if p := cfg.Prediction; p != nil {
		pc := *p
		pc.Method = orDefault(pc.Method, DefaultPrediction)
		if err := checkMethod("prediction", pc.Method, numericMethods); err != nil {
			return cfg, "", err
		}
		for _, t := range pc.Thresholds {
			if math.IsNaN(t) || math.IsInf(t, 0) {
				return cfg, "", errs.Input("write finite thresholds, e.g. [0.5]", "%s.prediction.thresholds: %v is not a finite number", where, t)
			}
		}
		if err := share("prediction.max_flip_rate", pc.MaxFlipRate); err != nil {
			return cfg, "", err
		}
		cfg.Prediction = &pc
	}
	if c := cfg.Consistency; c != nil {
		if !(c.Tolerance >= 0) || math.IsInf(c.Tolerance, 0) {
			return cfg, "", errs.Input("write a non-negative tolerance, e.g. 1e-6", "%s.consistency.tolerance: %v is not a non-negative number", where, c.Tolerance)
		}
		mr := c.MaxMismatchRate
		if err := share("consistency.max_mismatch_rate", &mr); err != nil {
			return cfg, "", err
		}
	}
	if (cfg.Prediction != nil || cfg.Consistency != nil) && cfg.BaselineScore == "" {
		return cfg, "", errs.Input("set traffic.baseline.score to the column with the score production logged",
			"%s: prediction and consistency need the logged baseline score column", where)
	}
	for name, m := range cfg.PerFeature {
		if m.Name == "" {
			return cfg, "", errs.Input("name the method, e.g. {method: psi, warn: 0.1, fail: 0.25}", "%s.per_feature.%s: no method", where, name)
		}
		if err := checkMethod("per_feature."+name, m, append(slices.Clone(numericMethods), MethodLInf, MethodChi2)); err != nil {
			return cfg, "", err
		}
	}
	if cfg.SegmentTopK < 0 {
		return cfg, "", errs.Input("use 0 for the default of 3", "%s.segment_top_k: %d must not be negative", where, cfg.SegmentTopK)
	}
	if cfg.SegmentTopK == 0 {
		cfg.SegmentTopK = DefaultSegmentTopK
	}
	for i, s := range cfg.Segments {
		if s == "" {
			return cfg, "", errs.Input("name a traffic column, e.g. country", "%s.segments[%d]: empty column name", where, i)
		}
		if slices.Contains(cfg.Segments[:i], s) {
			return cfg, "", errs.Input("list each segment column once", "%s.segments[%d]: %q is listed twice", where, i, s)
		}
	}
	if cfg.TopValues < 0 || cfg.ReservoirSize < 0 {
		return cfg, "", errs.Input("use 0 for the default", "%s: top values %d and reservoir size %d must not be negative", where, cfg.TopValues, cfg.ReservoirSize)
	}
	return cfg, sev, nil
}
