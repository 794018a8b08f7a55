package plots_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/netsimlab/netsim/third_party/gonumplot/font"
	"github.com/netsimlab/netsim/third_party/gonumplot/vg"
)

// The geometry of a drawn SVG figure, read back from the file's own
// elements (the <g> transforms, each <text>'s position, font and size, each
// <path>'s points), so that a test checks what a reader sees and not what
// the layout code believes it drew.

// pt is a point in the figure's coordinates: points from the top left, as
// the SVG's viewBox has them.
type pt struct{ x, y float64 }

// affine is the matrix [a c e; b d f; 0 0 1] of an SVG transform.
type affine struct{ a, b, c, d, e, f float64 }

var identity = affine{a: 1, d: 1}

func (m affine) mul(n affine) affine {
	return affine{
		a: m.a*n.a + m.c*n.b, b: m.b*n.a + m.d*n.b,
		c: m.a*n.c + m.c*n.d, d: m.b*n.c + m.d*n.d,
		e: m.a*n.e + m.c*n.f + m.e, f: m.b*n.e + m.d*n.f + m.f,
	}
}

func (m affine) apply(x, y float64) pt {
	return pt{m.a*x + m.c*y + m.e, m.b*x + m.d*y + m.f}
}

// parseTransform reads the translate, rotate and scale functions vgsvg
// writes.
func parseTransform(s string) (affine, error) {
	m := identity
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		open, end := strings.IndexByte(s, '('), strings.IndexByte(s, ')')
		if open < 0 || end < open {
			return m, fmt.Errorf("transform %q", s)
		}
		name := strings.TrimSpace(s[:open])
		var args []float64
		for _, f := range strings.FieldsFunc(s[open+1:end], func(r rune) bool { return r == ',' || r == ' ' }) {
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return m, fmt.Errorf("transform %q: %w", s, err)
			}
			args = append(args, v)
		}
		s = s[end+1:]
		switch {
		case name == "translate" && len(args) == 2:
			m = m.mul(affine{a: 1, d: 1, e: args[0], f: args[1]})
		case name == "scale" && len(args) == 2:
			m = m.mul(affine{a: args[0], d: args[1]})
		case name == "rotate" && len(args) == 1:
			sin, cos := math.Sincos(args[0] * math.Pi / 180)
			m = m.mul(affine{a: cos, b: sin, c: -sin, d: cos})
		default:
			return m, fmt.Errorf("transform %s%v", name, args)
		}
	}
	return m, nil
}

// svgText is one <text> element as drawn: its string and the four corners
// of the box its glyphs' ink covers.
type svgText struct {
	text    string
	corners [4]pt
}

// svgPath is one <path> element: its style and the points it passes
// through (arcs add their end point and a radius).
type svgPath struct {
	style  string
	points []pt
	radius float64 // largest arc radius, 0 for straight segments
	closed bool
}

// svgFigure is what a figure draws.
type svgFigure struct {
	w, h  float64
	texts []svgText
	paths []svgPath
	// order lists the elements as drawn: 't' index into texts or 'p' into paths.
	order []svgElem
}

type svgElem struct {
	kind byte
	i    int
}

// parseSVG reads the geometry of a figure vgsvg wrote.
func parseSVG(t testing.TB, data []byte) svgFigure {
	t.Helper()
	var fig svgFigure
	stack := []affine{identity}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var cur *xml.StartElement
	var chars strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch e := tok.(type) {
		case xml.StartElement:
			m := stack[len(stack)-1]
			if tr := attr(e, "transform"); tr != "" {
				local, err := parseTransform(tr)
				require.NoError(t, err)
				m = m.mul(local)
			}
			stack = append(stack, m)
			switch e.Name.Local {
			case "svg":
				fig.w = points(t, attr(e, "width"))
				fig.h = points(t, attr(e, "height"))
			case "text":
				ce := e.Copy()
				cur = &ce
				chars.Reset()
			case "path":
				p := parsePath(t, attr(e, "d"), m)
				p.style = attr(e, "style")
				fig.order = append(fig.order, svgElem{'p', len(fig.paths)})
				fig.paths = append(fig.paths, p)
			}
		case xml.CharData:
			if cur != nil {
				chars.Write(e)
			}
		case xml.EndElement:
			m := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if e.Name.Local == "text" && cur != nil {
				fig.order = append(fig.order, svgElem{'t', len(fig.texts)})
				fig.texts = append(fig.texts, textBoxOf(t, *cur, chars.String(), m))
				cur = nil
			}
		}
	}
	require.Positive(t, fig.w)
	require.Positive(t, fig.h)
	return fig
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func points(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "pt"), 64)
	require.NoError(t, err, s)
	return v
}

// styleOf returns a property of a style attribute.
func styleOf(style, name string) string {
	for _, kv := range strings.Split(style, ";") {
		if k, v, ok := strings.Cut(kv, ":"); ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// textBoxOf measures a <text> with the font it names (the figures use
// gonum's Liberation fonts, which vgsvg names "Liberation Serif" and
// "Liberation Sans"); m maps its coordinates, its own transform included,
// to the figure's.
func textBoxOf(t testing.TB, e xml.StartElement, s string, m affine) svgText {
	t.Helper()
	st := attr(e, "style")
	family := styleOf(st, "font-family")
	typeface, variant, ok := strings.Cut(family, " ")
	require.True(t, ok, "font family %q", family)
	size := points(t, strings.TrimSuffix(styleOf(st, "font-size"), "px"))
	face := font.DefaultCache.Lookup(font.Font{Typeface: font.Typeface(typeface), Variant: font.Variant(variant)}, vg.Length(size))
	require.NotNil(t, face.Face, "font %q", family)
	x, y := points(t, attr(e, "x")), points(t, attr(e, "y"))
	// The ink of the glyphs, not the font's line box (whose ascent and
	// descent overlap the next line of a two-line label by design).
	ff := face.FontFace(72)
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	dot := 0.0
	prev := rune(-1)
	for _, r := range s {
		if prev >= 0 {
			dot += float64(ff.Kern(prev, r)) / 64
		}
		b, adv, ok := ff.GlyphBounds(r)
		require.True(t, ok, "glyph %q of %q", r, s)
		if b.Max.X > b.Min.X && b.Max.Y > b.Min.Y {
			x0, x1 = min(x0, dot+float64(b.Min.X)/64), max(x1, dot+float64(b.Max.X)/64)
			y0, y1 = min(y0, float64(b.Min.Y)/64), max(y1, float64(b.Max.Y)/64)
		}
		dot += float64(adv) / 64
		prev = r
	}
	if x0 > x1 { // only spaces
		x0, x1, y0, y1 = 0, 0, 0, 0
	}
	// In the text's own coordinates y grows downward from the baseline.
	return svgText{text: s, corners: [4]pt{
		m.apply(x+x0, y+y0), m.apply(x+x1, y+y0), m.apply(x+x1, y+y1), m.apply(x+x0, y+y1),
	}}
}

// parsePath reads the M, L, A and Z commands vgsvg writes.
func parsePath(t testing.TB, d string, m affine) svgPath {
	t.Helper()
	var p svgPath
	fields := strings.FieldsFunc(d, func(r rune) bool { return r == ',' || r == ' ' })
	// Split command letters glued to numbers ("M1,2L3,4").
	var toks []string
	for _, f := range fields {
		for f != "" {
			i := strings.IndexAny(f[1:], "MLAZQC")
			if i < 0 {
				toks = append(toks, f)
				break
			}
			toks = append(toks, f[:i+1])
			f = f[i+1:]
		}
	}
	num := func(i int) float64 {
		v, err := strconv.ParseFloat(toks[i], 64)
		require.NoError(t, err, d)
		return v
	}
	scale := math.Sqrt(math.Abs(m.a*m.d - m.b*m.c))
	for i := 0; i < len(toks); {
		cmd := toks[i][0]
		toks[i] = toks[i][1:]
		if toks[i] == "" {
			toks = append(toks[:i], toks[i+1:]...)
		}
		switch cmd {
		case 'M', 'L':
			p.points = append(p.points, m.apply(num(i), num(i+1)))
			i += 2
		case 'A':
			p.radius = max(p.radius, num(i)*scale)
			p.points = append(p.points, m.apply(num(i+5), num(i+6)))
			i += 7
		case 'Z':
			p.closed = true
		default:
			t.Fatalf("path command %c in %q", cmd, d)
		}
	}
	return p
}

// box is an axis-aligned rectangle in figure coordinates.
type box struct{ x0, y0, x1, y1 float64 }

func boxOf(ps ...pt) box {
	b := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range ps {
		b.x0, b.y0 = min(b.x0, p.x), min(b.y0, p.y)
		b.x1, b.y1 = max(b.x1, p.x), max(b.y1, p.y)
	}
	return b
}

func (b box) String() string {
	return fmt.Sprintf("[%.1f,%.1f]x[%.1f,%.1f]", b.x0, b.x1, b.y0, b.y1)
}

func (b box) intersects(o box) bool {
	return b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1
}

func (b box) contains(p pt) bool {
	return p.x > b.x0 && p.x < b.x1 && p.y > b.y0 && p.y < b.y1
}

// quadsOverlap reports whether two convex quadrilaterals overlap by more
// than slack points, by the separating axis theorem.
func quadsOverlap(a, b [4]pt, slack float64) bool {
	for _, q := range [][4]pt{a, b} {
		for i := range q {
			e := pt{q[(i+1)%4].x - q[i].x, q[(i+1)%4].y - q[i].y}
			n := math.Hypot(e.x, e.y)
			if n == 0 {
				continue
			}
			ax := pt{-e.y / n, e.x / n}
			lo1, hi1 := project(a, ax)
			lo2, hi2 := project(b, ax)
			if hi1 <= lo2+slack || hi2 <= lo1+slack {
				return false
			}
		}
	}
	return true
}

func project(q [4]pt, ax pt) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range q {
		v := p.x*ax.x + p.y*ax.y
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

// segmentMeetsBox reports whether the segment from p to q passes through
// the inside of b (Liang–Barsky clipping).
func segmentMeetsBox(p, q pt, b box) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := q.x-p.x, q.y-p.y
	for _, pq := range [][2]float64{{-dx, p.x - b.x0}, {dx, b.x1 - p.x}, {-dy, p.y - b.y0}, {dy, b.y1 - p.y}} {
		if pq[0] == 0 {
			if pq[1] <= 0 {
				return false
			}
			continue
		}
		r := pq[1] / pq[0]
		if pq[0] < 0 {
			t0 = max(t0, r)
		} else {
			t1 = min(t1, r)
		}
		if t0 >= t1 {
			return false
		}
	}
	return true
}

// polygonContains reports whether p lies inside the polygon (even-odd rule).
func polygonContains(poly []pt, p pt) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.y > p.y) != (b.y > p.y) && p.x < (b.x-a.x)*(p.y-a.y)/(b.y-a.y)+a.x {
			in = !in
		}
	}
	return in
}
