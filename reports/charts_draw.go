package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The drawing toolkit the charts share: a fixed page layout (title,
// subtitle, a legend row, the plot, notes), fonts, colours, tick marks and
// a few small plotters. Everything here is deterministic: no clock, no
// randomness, no map iteration.

// Every chart is ChartWidth x ChartHeight pixels at ChartDPI dots per inch
// (8.33 x 4.69 inches, 600 x 337.5 points).
const (
	ChartWidth  = 800
	ChartHeight = 450
	ChartDPI    = 96
)

var (
	chartPageW = vg.Length(ChartWidth) * vg.Inch / ChartDPI
	chartPageH = vg.Length(ChartHeight) * vg.Inch / ChartDPI
)

// Colours: Okabe and Ito's colour-blind-safe palette.
var (
	chartBlue      = chartRGB(0x0072B2) // blue
	chartOrange    = chartRGB(0xE69F00) // orange
	chartRed       = chartRGB(0xD55E00) // vermillion
	chartAmber     = chartRGB(0xE69F00) // amber
	chartPassColor = chartRGB(0x0072B2)
	chartGrey      = chartRGB(0xBBBBBB)
	chartInk       = chartRGB(0x222222)
	chartMuted     = chartRGB(0x555555)
	chartGuide     = chartRGB(0x777777)
	chartGridColor = chartRGB(0xE4E4E4)
)

func chartRGB(v uint32) color.RGBA {
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// chartAlpha returns c at opacity a (0..1), premultiplied as color.RGBA
// requires.
func chartAlpha(c color.RGBA, a float64) color.RGBA {
	m := func(v uint8) uint8 { return uint8(math.Round(float64(v) * a)) }
	return color.RGBA{R: m(c.R), G: m(c.G), B: m(c.B), A: uint8(math.Round(255 * a))}
}

// chartSans is the typeface of every text: Liberation Sans, compiled into
// gonum/plot, so no system font is needed.
var chartSans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func chartTextStyle(size float64, bold bool, c color.Color) text.Style {
	f := chartSans
	if bold {
		f.Weight = xfont.WeightBold
	}
	return text.Style{Color: c, Font: font.From(f, vg.Points(size)), Handler: plot.DefaultTextHandler}
}

// chartGlyphs is the font used to decide which characters can be drawn.
var chartGlyphs = sync.OnceValue(func() *sfnt.Font {
	return font.DefaultCache.Lookup(chartSans, 10).Face
})

// text makes a string from a Result fit to draw: one line, no control
// characters, and every character the compiled font has no glyph for
// (CJK, emoji, ...) replaced by '?', so it shows as a readable mark rather
// than an empty box. The chart then says so in a note.
func (f *chartFrame) text(s string) string {
	s = clean(s)
	if isPlain(s) {
		return s
	}
	font := chartGlyphs()
	var buf sfnt.Buffer
	var b strings.Builder
	for _, r := range s {
		if i, err := font.GlyphIndex(&buf, r); err != nil || i == 0 {
			b.WriteByte('?')
			f.replaced = true
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// chartUniqueTicks tells equal labels apart (two names that differ only
// in characters the font cannot draw, or after being cut) by numbering the
// second and later ones: "??", "?? (2)".
func chartUniqueTicks(ticks []plot.Tick) {
	seen := make(map[string]int, len(ticks))
	for i, t := range ticks {
		if t.Label == "" {
			continue
		}
		seen[t.Label]++
		if k := seen[t.Label]; k > 1 {
			ticks[i].Label = fmt.Sprintf("%s (%d)", t.Label, k)
		}
	}
}

// chartFit cuts s so that it is at most w wide in style sty, ending it with an
// ellipsis when something was cut.
func chartFit(sty text.Style, s string, w vg.Length) string {
	if sty.Width(s) <= w {
		return s
	}
	const ell = "…"
	rs := []rune(s)
	lo, hi := 0, len(rs) // the longest prefix that fits is in [lo, hi)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if sty.Width(strings.TrimRight(string(rs[:mid]), " ")+ell) <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(rs[:lo]), " ") + ell
}

// chartWrap breaks s into at most maxLines lines of width w; the last line is
// cut with an ellipsis when the text does not fit.
func chartWrap(sty text.Style, s string, w vg.Length, maxLines int) []string {
	words := strings.Fields(s)
	var lines []string
	cur := ""
	for i, word := range words {
		next := word
		if cur != "" {
			next = cur + " " + word
		}
		if sty.Width(next) <= w || cur == "" {
			cur = next
			continue
		}
		if len(lines) == maxLines-1 {
			return append(lines, chartFit(sty, strings.Join(append([]string{cur}, words[i:]...), " "), w))
		}
		lines = append(lines, cur)
		cur = word
	}
	if cur != "" {
		lines = append(lines, chartFit(sty, cur, w))
	}
	return lines
}

// chartLineHeight is the height of one line of text in sty plus a small gap.
func chartLineHeight(sty text.Style) vg.Length {
	e := sty.FontExtents()
	return e.Height + vg.Points(2)
}

// A legendItem is one entry of the legend row: a key drawn into a small
// box, and its text.
type chartLegendItem struct {
	text string
	key  func(c *draw.Canvas)
}

func chartSwatchKey(fill color.Color) func(c *draw.Canvas) {
	return func(c *draw.Canvas) {
		r := c.Rectangle
		r.Min.Y += vg.Points(1)
		r.Max.Y -= vg.Points(1)
		r.Min.X += vg.Points(3)
		r.Max.X -= vg.Points(3)
		c.FillPolygon(fill, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
	}
}

func chartLineKey(ls draw.LineStyle, glyph *draw.GlyphStyle) func(c *draw.Canvas) {
	return func(c *draw.Canvas) {
		y := c.Center().Y
		if ls.Width > 0 {
			c.StrokeLine2(ls, c.Min.X, y, c.Max.X, y)
		}
		if glyph != nil {
			c.DrawGlyphNoClip(*glyph, c.Center())
		}
	}
}

// chartWhiskerKey is an error bar turned on its side.
func chartWhiskerKey(ls draw.LineStyle) func(c *draw.Canvas) {
	return func(c *draw.Canvas) {
		y := c.Center().Y
		x0, x1 := c.Min.X+vg.Points(2), c.Max.X-vg.Points(2)
		h := vg.Points(3)
		c.StrokeLine2(ls, x0, y, x1, y)
		c.StrokeLine2(ls, x0, y-h, x0, y+h)
		c.StrokeLine2(ls, x1, y-h, x1, y+h)
	}
}

// chartTickKey is a short upright bar, the per-bar limit marks of the drift
// chart.
func chartTickKey(ls draw.LineStyle) func(c *draw.Canvas) {
	return func(c *draw.Canvas) {
		x := c.Center().X
		c.StrokeLine2(ls, x, c.Min.Y, x, c.Max.Y)
	}
}

// chartFrame is one chart's page: a title (up to two lines), an optional
// subtitle, a legend row, the plot, and notes under the plot. The legend
// sits above the plot, never on top of the data.
type chartFrame struct {
	title    string
	subtitle string
	legend   []chartLegendItem
	notes    []string
	plot     *plot.Plot
	replaced bool // a text had characters the font cannot draw
}

// note adds a line under the plot.
func (f *chartFrame) note(s string) { f.notes = append(f.notes, s) }

const chartMaxNotes = 3

// render draws the page and encodes it as PNG.
func (f *chartFrame) render() ([]byte, error) {
	img := vgimg.NewWith(vgimg.UseWH(chartPageW, chartPageH), vgimg.UseDPI(ChartDPI))
	dc := draw.New(img)

	margin := vg.Points(10)
	left, right := dc.Min.X+margin, dc.Max.X-margin
	width := right - left
	top := dc.Max.Y - vg.Points(8)

	ts := chartTextStyle(13, true, chartInk)
	ts.YAlign = draw.YTop
	for _, line := range chartWrap(ts, f.title, width, 2) {
		dc.FillText(ts, vg.Point{X: left, Y: top}, line)
		top -= chartLineHeight(ts)
	}
	ss := chartTextStyle(9.5, false, chartMuted)
	ss.YAlign = draw.YTop
	for _, line := range chartWrap(ss, f.subtitle, width, 2) {
		dc.FillText(ss, vg.Point{X: left, Y: top}, line)
		top -= chartLineHeight(ss)
	}
	if len(f.legend) > 0 {
		top -= vg.Points(3)
		top = chartDrawLegend(dc, f.legend, left, right, top)
	}
	top -= vg.Points(6)

	bottom := dc.Min.Y + vg.Points(5)
	notes := f.notes
	if f.replaced {
		notes = append(slices.Clip(notes), "? stands for characters the chart font cannot draw; the report's tables show the names in full")
	}
	if len(notes) > chartMaxNotes {
		rest := len(notes) - chartMaxNotes + 1
		notes = append(notes[:chartMaxNotes-1:chartMaxNotes-1], "and "+plural(rest, "more note", "more notes"))
	}
	ns := chartTextStyle(8.5, false, chartMuted)
	for i := len(notes) - 1; i >= 0; i-- {
		dc.FillText(ns, vg.Point{X: left, Y: bottom}, chartFit(ns, notes[i], width))
		bottom += chartLineHeight(ns)
	}
	if len(notes) > 0 {
		bottom += vg.Points(2)
	}

	pc := draw.Crop(dc, vg.Points(4), -margin, bottom-dc.Min.Y, top-dc.Max.Y)
	f.plot.Draw(pc)

	var buf bytes.Buffer
	buf.Grow(64 << 10)
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// chartDrawLegend lays the items out left to right from (left, top), wrapping
// to a new row when one is full, and returns the y under the last row.
func chartDrawLegend(dc draw.Canvas, items []chartLegendItem, left, right, top vg.Length) vg.Length {
	sty := chartTextStyle(10, false, chartInk)
	sty.YAlign = draw.YCenter
	keyW, keyH := vg.Points(22), vg.Points(9)
	gap, sep := vg.Points(4), vg.Points(16)
	rowH := chartLineHeight(sty)
	x, y := left, top-rowH/2
	for _, it := range items {
		t := chartFit(sty, it.text, right-left-keyW-gap)
		w := keyW + gap + sty.Width(t)
		if x > left && x+w > right {
			x = left
			y -= rowH
		}
		keyBox := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: y - keyH/2}, Max: vg.Point{X: x + keyW, Y: y + keyH/2}}}
		it.key(&keyBox)
		dc.FillText(sty, vg.Point{X: x + keyW + gap, Y: y}, t)
		x += w + sep
	}
	return y - rowH/2
}

// newChartPlot is a plot with the charts' fonts, axis labels and round
// tick marks; no title and no legend (the chartFrame draws both).
func newChartPlot(xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(chartSans, vg.Points(10.5))
		a.Label.TextStyle.Color = chartInk
		a.Label.Padding = vg.Points(3)
		a.Tick.Label.Font = font.From(chartSans, vg.Points(9))
		a.Tick.Label.Color = chartInk
		a.Tick.Length = vg.Points(4)
		a.Tick.Color = chartMuted
		a.Color = chartMuted
		a.Padding = vg.Points(2)
		a.Tick.Marker = chartNiceTicks{}
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	return p
}

// chartAddGrid draws light lines at the major ticks of one or both axes.
func chartAddGrid(p *plot.Plot, vertical, horizontal bool) {
	g := &chartGrid{}
	if vertical {
		g.v = draw.LineStyle{Color: chartGridColor, Width: vg.Points(0.6)}
	}
	if horizontal {
		g.h = draw.LineStyle{Color: chartGridColor, Width: vg.Points(0.6)}
	}
	p.Add(g)
}

type chartGrid struct{ v, h draw.LineStyle }

func (g *chartGrid) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	if g.v.Color != nil {
		for _, t := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
			if x := trX(t.Value); !t.IsMinor() && x >= c.Min.X && x <= c.Max.X {
				c.StrokeLine2(g.v, x, c.Min.Y, x, c.Max.Y)
			}
		}
	}
	if g.h.Color != nil {
		for _, t := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
			if y := trY(t.Value); !t.IsMinor() && y >= c.Min.Y && y <= c.Max.Y {
				c.StrokeLine2(g.h, c.Min.X, y, c.Max.X, y)
			}
		}
	}
}

// chartNiceTicks labels a linear axis at about six round values (1, 2, 2.5 or 5
// times a power of ten), with unlabelled minor ticks between them.
type chartNiceTicks struct{}

func (chartNiceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil
	}
	raw := (hi - lo) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step, decimals := 10*mag, 0
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			if m == 2.5 {
				decimals = 1
			}
			break
		}
	}
	decimals += max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	var ticks []plot.Tick
	first := math.Ceil(lo/step - 1e-9)
	for i := first; i*step <= hi+step*1e-9; i++ {
		v := i * step
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: chartTickLabel(v, decimals)})
		if minor := v + step/2; minor <= hi {
			ticks = append(ticks, plot.Tick{Value: minor})
		}
	}
	if minor := first*step - step/2; minor >= lo {
		ticks = append(ticks, plot.Tick{Value: minor})
	}
	return ticks
}

func chartTickLabel(v float64, decimals int) string {
	if math.Abs(v) >= 1e7 {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	s := strconv.FormatFloat(v, 'f', min(decimals, 8), 64)
	if s == "-0" {
		return "0"
	}
	return s
}

// chartLogTicks labels a log axis at 1, 2 and 5 times each power of ten when
// the range spans up to three decades, at the powers of ten otherwise.
type chartLogTicks struct{}

func (chartLogTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) || math.IsInf(hi, 0) {
		return nil
	}
	decades := math.Log10(hi / lo)
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		base := math.Pow(10, e)
		for m := 1.0; m < 10; m++ {
			v := m * base
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (decades <= 3 && (m == 2 || m == 5)) {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// chartNominal makes an axis of p a category axis: ticks at 0..n-1
// labelled with names. On the x axis the labels are turned or thinned out
// so that they do not overlap in a data area about span points wide.
func chartNominal(p *plot.Plot, vertical bool, names []string, span vg.Length) {
	a := &p.X
	if vertical {
		a = &p.Y
	}
	ticks := make(plot.ConstantTicks, len(names))
	maxW := vg.Length(0)
	for i, n := range names {
		ticks[i] = plot.Tick{Value: float64(i), Label: n}
		maxW = max(maxW, a.Tick.Label.Width(n))
	}
	a.Min, a.Max = -0.5, float64(len(names))-0.5
	if len(names) == 0 {
		a.Min, a.Max = -0.5, 0.5
	}
	chartUniqueTicks(ticks)
	a.Tick.Marker = ticks
	a.Tick.Length = 0
	if vertical || len(names) == 0 {
		return
	}
	slot := span / vg.Length(len(names))
	h := a.Tick.Label.Height("Xg")
	switch {
	case maxW <= slot*0.95:
		return
	case slot >= 1.5*h:
		a.Tick.Label.Rotation = math.Pi / 4
	default:
		a.Tick.Label.Rotation = math.Pi / 2
		if every := int(math.Ceil(float64(1.15 * h / slot))); every > 1 {
			for i := range ticks {
				if i%every != 0 {
					ticks[i].Label = ""
				}
			}
		}
	}
	a.Tick.Label.XAlign = draw.XRight
	a.Tick.Label.YAlign = draw.YCenter
	for i := range ticks {
		ticks[i].Label = chartClip(ticks[i].Label, 20)
	}
	chartUniqueTicks(ticks)
	// Turned labels reach left of their tick; the plot pads its left side
	// for glyphs of plotters only, so reserve their width as one.
	var r chartReserve
	for _, t := range ticks {
		if t.Label != "" {
			rect := a.Tick.Label.Rectangle(t.Label)
			r = append(r, plot.GlyphBox{X: t.Value, Rectangle: vg.Rectangle{
				Min: vg.Point{X: rect.Min.X}, Max: vg.Point{X: rect.Max.X}}})
		}
	}
	p.Add(r)
}

// chartReserve draws nothing; it keeps room on the x axis for glyphs
// (X holds the data value and is normalised when asked; the boxes have no
// height, so the vertical padding is left alone).
type chartReserve []plot.GlyphBox

func (chartReserve) Plot(draw.Canvas, *plot.Plot) {}

func (r chartReserve) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	out := make([]plot.GlyphBox, len(r))
	for i, b := range r {
		out[i] = plot.GlyphBox{X: p.X.Norm(b.X), Rectangle: b.Rectangle}
	}
	return out
}

// chartClip cuts a name to n characters by taking out its middle, so
// that names that differ at either end stay apart: "segment=a rat…name 02".
func chartClip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	head := (n - 1) * 3 / 5
	tail := n - 1 - head
	return string(rs[:head]) + "…" + string(rs[len(rs)-tail:])
}

// chartBox is a filled rectangle in data coordinates.
type chartBox struct {
	x0, x1, y0, y1 float64
	fill           color.Color
	edge           draw.LineStyle
}

// chartBoxes draws rectangles, clipped to the data area.
type chartBoxes []chartBox

func (bs chartBoxes) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, b := range bs {
		x0, x1, y0, y1 := trX(b.x0), trX(b.x1), trY(b.y0), trY(b.y1)
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		if b.fill != nil {
			c.FillPolygon(b.fill, c.ClipPolygonXY(pts))
		}
		if b.edge.Width > 0 {
			c.StrokeLines(b.edge, c.ClipLinesXY(append(pts, pts[0]))...)
		}
	}
}

// chartSegment is a straight line in data coordinates.
type chartSegment struct {
	x0, y0, x1, y1 float64
	style          draw.LineStyle
}

// chartSegments draws lines, clipped to the data area.
type chartSegments []chartSegment

func (ss chartSegments) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, s := range ss {
		line := []vg.Point{{X: trX(s.x0), Y: trY(s.y0)}, {X: trX(s.x1), Y: trY(s.y1)}}
		c.StrokeLines(s.style, c.ClipLinesXY(line)...)
	}
}

// chartWhisker is an error bar from lo to hi on the y axis at x = at.
type chartWhisker struct{ at, lo, hi float64 }

// chartWhiskers draws error bars with caps of half-width cap.
type chartWhiskers struct {
	items []chartWhisker
	style draw.LineStyle
	cap   vg.Length
}

func (w chartWhiskers) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, it := range w.items {
		x, y0, y1 := trX(it.at), trY(it.lo), trY(it.hi)
		c.StrokeLines(w.style, c.ClipLinesXY([]vg.Point{{X: x, Y: y0}, {X: x, Y: y1}})...)
		for _, y := range []vg.Length{y0, y1} {
			c.StrokeLines(w.style, c.ClipLinesXY([]vg.Point{{X: x - w.cap, Y: y}, {X: x + w.cap, Y: y}})...)
		}
	}
}

// chartDot is a glyph at a point in data coordinates.
type chartDot struct {
	x, y  float64
	style draw.GlyphStyle
}

type chartDots []chartDot

func (ds chartDots) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, d := range ds {
		pt := vg.Point{X: trX(d.x), Y: trY(d.y)}
		if c.Contains(pt) {
			c.DrawGlyphNoClip(d.style, pt)
		}
	}
}

// GlyphBoxes keeps the glyphs inside the plot area.
func (ds chartDots) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	out := make([]plot.GlyphBox, len(ds))
	for i, d := range ds {
		out[i] = plot.GlyphBox{X: p.X.Norm(d.x), Y: p.Y.Norm(d.y), Rectangle: d.style.Rectangle()}
	}
	return out
}

// chartAnnot is a text anchored at a point in data coordinates, moved by off.
type chartAnnot struct {
	x, y  float64
	text  string
	style text.Style
	off   vg.Point
}

// chartAnnots draws texts; the plot leaves room for them (GlyphBoxes), so a
// text at the edge of the data is not cut.
type chartAnnots []chartAnnot

func (ns chartAnnots) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, n := range ns {
		c.FillText(n.style, vg.Point{X: trX(n.x), Y: trY(n.y)}.Add(n.off), n.text)
	}
}

func (ns chartAnnots) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	out := make([]plot.GlyphBox, len(ns))
	for i, n := range ns {
		out[i] = plot.GlyphBox{X: p.X.Norm(n.x), Y: p.Y.Norm(n.y), Rectangle: n.style.Rectangle(n.text).Add(n.off)}
	}
	return out
}

// chartFinite reports whether every v is a finite number.
func chartFinite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// chartShortNumber formats a bin edge compactly with prec significant digits:
// 0.25, 20k, 1.5M.
func chartShortNumber(v float64, prec int) string {
	a := math.Abs(v)
	suffix := ""
	switch {
	case a >= 1e12:
		return strconv.FormatFloat(v, 'g', prec, 64)
	case a >= 1e9:
		v, suffix = v/1e9, "G"
	case a >= 1e6:
		v, suffix = v/1e6, "M"
	case a >= 1e4:
		v, suffix = v/1e3, "k"
	}
	s := strconv.FormatFloat(v, 'g', prec, 64)
	if strings.ContainsAny(s, "e") && suffix == "" && a >= 1 {
		s = strconv.FormatFloat(v, 'f', -1, 64)
	}
	if s == "-0" {
		s = "0"
	}
	return s + suffix
}
