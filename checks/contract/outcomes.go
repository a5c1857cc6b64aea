package contract

import (
	"math"
	"strconv"
	"strings"

	"github.com/replaygate/replaygate/checks"
)

func newOutcome(name, limit string, rows int64) checks.Outcome {
	return checks.Outcome{Check: Name, Name: name, Limit: limit, Rows: rows}
}

// verdict sets the status and, for a broken rule, the examples.
func verdict(o *checks.Outcome, broken bool, sev checks.Status, ex []string) {
	if broken {
		o.Status = sev
		o.Examples = ex
		return
	}
	o.Status = checks.Pass
}

func skip(o *checks.Outcome, why string) {
	o.Status = checks.Skip
	o.Message = why
	o.Value = nil
}

// value sets a finite observed value; a non-finite one stays unset.
func value(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return checks.F(v)
}

func share(k, n int64) float64 { return float64(k) / float64(n) }

// typeProblem describes why the column cannot carry the feature's rules.
func (f *feature) typeProblem(total int64) string {
	st := &f.st
	var parts []string
	switch {
	case st.missing > 0 && st.missing == total:
		parts = append(parts, "column "+strconv.Quote(f.name)+" is missing from the traffic")
	case st.missing > 0:
		parts = append(parts, "column "+strconv.Quote(f.name)+" is missing from "+ofRows(st.missing, total, "rows"))
	}
	if st.wrong > 0 {
		p := f.name + " is " + st.wrongType
		if st.wrong < total {
			p += " in " + ofRows(st.wrong, total, "rows")
		}
		parts = append(parts, p+", "+f.needs())
	}
	if st.badTS > 0 {
		parts = append(parts, ofRows(st.badTS, st.rows-st.nulls, "values")+
			" are not RFC 3339 timestamps; first "+quote(st.badTSFirst))
	}
	return strings.Join(parts, "; ")
}

func (f *feature) typeLimit() string {
	switch {
	case f.want != "":
		return string(f.want)
	case f.hasMin || f.hasMax:
		return "int or float"
	case f.hasValues:
		return "int, float, string or bool"
	}
	return "present"
}

func (f *feature) outcomes(total int64) []checks.Outcome {
	st := &f.st
	var out []checks.Outcome
	problem := f.typeProblem(total)
	if f.want != "" || problem != "" {
		o := newOutcome(f.name+".type", f.typeLimit(), total)
		switch {
		case total == 0:
			skip(&o, "no rows")
		case problem != "":
			verdict(&o, true, f.sev, st.badTSEx.strings())
			o.Message = problem
		default:
			verdict(&o, false, f.sev, nil)
			switch {
			case st.haveType == "":
				o.Message = "every value of " + f.name + " is null (Arrow type null)"
			case f.want == KindTimestamp && st.haveKind == KindString:
				o.Message = f.name + " is " + st.haveType + " holding RFC 3339 timestamps"
			default:
				o.Message = f.name + " is " + st.haveType
			}
		}
		out = append(out, o)
	}
	why := ""
	if problem != "" {
		why = "not evaluated: " + problem
	}
	nonNull := st.rows - st.nulls
	noRows := func() string {
		if st.rows == 0 {
			return "no rows"
		}
		return "no rows: every value of " + f.name + " is null"
	}
	if f.hasMin {
		out = append(out, f.bound(true, nonNull, why, noRows))
	}
	if f.hasMax {
		out = append(out, f.bound(false, nonNull, why, noRows))
	}
	if f.hasNull {
		o := newOutcome(f.name+".null_rate", "<= "+num(f.maxNull), st.rows)
		switch {
		case why != "":
			skip(&o, why)
		case st.rows == 0:
			skip(&o, "no rows")
		default:
			r := share(st.nulls, st.rows)
			o.Value = checks.F(r)
			verdict(&o, r > f.maxNull, f.sev, st.nullEx.strings())
			if st.nulls == 0 {
				o.Message = "no nulls in " + checks.Thousands(st.rows) + " rows"
			} else {
				o.Message = ofRows(st.nulls, st.rows, "rows") + " null"
				if st.nans > 0 {
					o.Message += " (" + checks.Thousands(st.nans) + " NaN)"
				}
			}
		}
		out = append(out, o)
	}
	if f.hasValues {
		o := newOutcome(f.name+".unseen_rate", "<= "+num(f.maxUnseen), nonNull)
		switch {
		case why != "":
			skip(&o, why)
		case nonNull == 0:
			skip(&o, noRows())
		default:
			r := share(st.unseen, nonNull)
			o.Value = checks.F(r)
			verdict(&o, r > f.maxUnseen, f.sev, st.unseenEx.strings())
			allowed := "the " + checks.Thousands(int64(f.nValues)) + " allowed values"
			if f.nValues == 1 {
				allowed = "the 1 allowed value"
			}
			if st.unseen == 0 {
				o.Message = "all " + checks.Thousands(nonNull) + " non-null rows among " + allowed
			} else {
				q := make([]string, len(st.unseenVals))
				for i, v := range st.unseenVals {
					q[i] = quote(v)
				}
				o.Message = ofRows(st.unseen, nonNull, "non-null rows") + " not among " + allowed +
					"; unseen: " + strings.Join(q, ", ")
				if st.unseen > int64(len(q)) && len(q) == maxExamples {
					o.Message += ", …"
				}
			}
		}
		out = append(out, o)
	}
	return out
}

// bound is the outcome of a min (lower) or max rule.
func (f *feature) bound(lower bool, nonNull int64, why string, noRows func() string) checks.Outcome {
	st := &f.st
	name, op, word, extreme := ".max", "<= ", " above ", "highest "
	b, n, ex, obs := f.max, st.above, st.aboveEx, st.hi
	if lower {
		name, op, word, extreme = ".min", ">= ", " below ", "lowest "
		b, n, ex, obs = f.min, st.below, st.belowEx, st.lo
	}
	limit := op + num(b)
	if f.maxOOR > 0 {
		limit += " (out-of-range share <= " + num(f.maxOOR) + ")"
	}
	o := newOutcome(f.name+name, limit, nonNull)
	switch {
	case why != "":
		skip(&o, why)
		return o
	case nonNull == 0:
		skip(&o, noRows())
		return o
	}
	o.Value = value(obs)
	r := share(n, nonNull)
	broken := r > f.maxOOR
	verdict(&o, broken, f.sev, ex.strings())
	if n == 0 {
		o.Message = "all " + checks.Thousands(nonNull) + " non-null rows " + op + num(b) + "; " + extreme + num(obs)
		return o
	}
	o.Message = ofRows(n, nonNull, "rows") + word + num(b) + "; worst " + num(obs)
	if !broken {
		o.Message += "; within the allowed " + pct(f.maxOOR)
	}
	return o
}

func (o *output) noRows() string {
	switch {
	case o.rows == 0:
		return "no rows"
	case o.noScore == o.rows:
		return "no rows: no " + o.scoreCol + " column in the scored rows"
	case o.errored == o.rows:
		return "no rows: all " + plural(o.rows, "row has", "rows have") + " a " + o.errCol
	case o.errored+o.noScore == o.rows:
		return "no rows: every row has a " + o.errCol + " or no " + o.scoreCol
	}
	return "no rows"
}

// notes are the trailing remarks every output message carries.
func (o *output) notes() string {
	s := ""
	if o.errored > 0 {
		s += "; " + plural(o.errored, "row", "rows") + " with a " + o.errCol + " not checked"
	}
	if o.noScore > 0 && o.noScore < o.rows {
		s += "; " + plural(o.noScore, "row", "rows") + " without " + o.scoreCol
	}
	return s
}

func (o *output) outcomes() []checks.Outcome {
	var out []checks.Outcome
	bad := o.nulls + o.nans + o.posInf + o.negInf
	fin := newOutcome("output.finite", "finite", o.scored)
	switch {
	case o.wrongType:
		fin.Status = checks.Error
		fin.Message = o.scoreCol + " is " + o.scoreType + ", want float64"
	case o.scored == 0:
		skip(&fin, o.noRows())
	default:
		fin.Value = checks.F(share(bad, o.scored))
		verdict(&fin, bad > 0, o.sev, o.badEx.strings())
		if bad == 0 {
			fin.Message = "all " + checks.Thousands(o.scored) + " scored rows finite"
		} else {
			var kinds []string
			for _, k := range []struct {
				n    int64
				name string
			}{{o.nans, "NaN"}, {o.posInf, "+Inf"}, {o.negInf, "-Inf"}, {o.nulls, "null"}} {
				if k.n > 0 {
					kinds = append(kinds, checks.Thousands(k.n)+" "+k.name)
				}
			}
			fin.Message = ofRows(bad, o.scored, "scored rows") + " not finite: " + strings.Join(kinds, ", ")
		}
		fin.Message += o.notes()
	}
	out = append(out, fin)
	if !o.hasMin && !o.hasMax {
		return out
	}
	var limit, within, outside string
	switch {
	case o.hasMin && o.hasMax:
		limit = "[" + num(o.min) + ", " + num(o.max) + "]"
		within, outside = "within "+limit, "outside "+limit
	case o.hasMin:
		limit = ">= " + num(o.min)
		within, outside = limit, "below "+num(o.min)
	default:
		limit = "<= " + num(o.max)
		within, outside = limit, "above "+num(o.max)
	}
	n := o.scored - bad
	rg := newOutcome("output.range", limit, n)
	switch {
	case o.wrongType:
		rg.Status = checks.Error
		rg.Message = fin.Message
	case n == 0 && o.scored > 0:
		skip(&rg, "no rows: no scored row has a finite score")
	case n == 0:
		skip(&rg, o.noRows())
	default:
		rg.Value = checks.F(share(o.outside, n))
		verdict(&rg, o.outside > 0, o.sev, o.outEx.strings())
		span := "scores span [" + num(o.lo) + ", " + num(o.hi) + "]"
		if o.outside == 0 {
			rg.Message = "all " + checks.Thousands(n) + " finite scores " + within + "; " + span
		} else {
			rg.Message = ofRows(o.outside, n, "scored rows") + " " + outside + "; " + span
		}
		rg.Message += o.notes()
	}
	return append(out, rg)
}

func (f *freshness) outcomes() []checks.Outcome {
	total := f.rows + f.missing + f.wrong
	var warnings []string
	if f.missing > 0 && f.missing < total {
		warnings = append(warnings, "column "+strconv.Quote(f.col)+" is missing from "+ofRows(f.missing, total, "rows"))
	}
	if f.wrong > 0 && f.wrong < total {
		warnings = append(warnings, f.col+" is "+f.wrongType+" in "+ofRows(f.wrong, total, "rows")+
			", which were ignored")
	}
	if f.unparsed > 0 && f.valid > 0 {
		warnings = append(warnings, plural(f.unparsed, "value of "+f.col+" is not an RFC 3339 timestamp and was",
			"values of "+f.col+" are not RFC 3339 timestamps and were")+" ignored; first "+quote(f.badFirst))
	}
	// problem is why no rule can be evaluated although rows were seen.
	problem := ""
	switch {
	case f.valid > 0 || total == 0:
	case f.missing == total:
		problem = "column " + strconv.Quote(f.col) + " is missing from the traffic"
	case f.wrong > 0 && f.rows == 0:
		problem = f.col + " is " + f.wrongType + ", want a timestamp, date or RFC 3339 string column"
	case f.unparsed > 0:
		problem = "none of the " + checks.Thousands(f.unparsed) + " non-null values of " + f.col +
			" is an RFC 3339 timestamp; first " + quote(f.badFirst)
	}
	eval := func(name, limit string, run func(o *checks.Outcome)) checks.Outcome {
		o := newOutcome(name, limit, f.valid)
		o.Warnings = warnings
		switch {
		case total == 0:
			skip(&o, "no rows")
		case problem != "":
			verdict(&o, true, f.sev, nil)
			o.Message = problem
		case f.valid == 0:
			skip(&o, "no rows: every value of "+f.col+" is null")
		default:
			run(&o)
		}
		return o
	}
	var out []checks.Outcome
	if f.maxAge > 0 {
		out = append(out, eval("freshness.max_age", "<= "+dur(f.maxAge), func(o *checks.Outcome) {
			age := f.now.Sub(f.newest)
			o.Value = checks.F(age.Hours())
			verdict(o, age > f.maxAge, f.sev, []string{f.newestEx.String()})
			if age >= 0 {
				o.Message = "newest " + f.col + " " + stamp(f.newest) + " is " + hours(age) + " old at " + stamp(f.now)
			} else {
				o.Message = "newest " + f.col + " " + stamp(f.newest) + " is " + hours(-age) +
					" after " + stamp(f.now)
			}
		}))
	}
	if f.maxSpan > 0 {
		out = append(out, eval("freshness.max_span", "<= "+dur(f.maxSpan), func(o *checks.Outcome) {
			span := f.newest.Sub(f.oldest)
			o.Value = checks.F(span.Hours())
			ex := []string{f.oldestEx.String()}
			if f.newestEx != f.oldestEx {
				ex = append(ex, f.newestEx.String())
			}
			verdict(o, span > f.maxSpan, f.sev, ex)
			o.Message = f.col + " spans " + hours(span) + ", from " + stamp(f.oldest) + " to " + stamp(f.newest)
		}))
	}
	return out
}
