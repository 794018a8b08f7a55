package plots

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/netsimlab/netsim/third_party/gonumplot/vg"
)

// Lengths a figure side may take: from 1 inch (a thumbnail) to maxSide.
const minSide = vg.Inch

// lengthUnits are the units ParseLength reads; px is a pixel of the PNG
// output (pngDPI to the inch).
var lengthUnits = []struct {
	suffix string
	unit   vg.Length
}{{"in", vg.Inch}, {"cm", vg.Centimeter}, {"mm", vg.Millimeter}, {"pt", vg.Points(1)}, {"px", vg.Inch / pngDPI}}

// ParseLength reads a figure side as people write it: a number and a
// unit, in, cm, mm, pt or px (a pixel of the PNG output, at 150 dpi), as
// "3.5in", "9 cm" or "1200px"; a bare number is inches. It accepts 1 to
// 100 inches.
func ParseLength(s string) (vg.Length, error) {
	num, unit := strings.TrimSpace(s), vg.Inch
	for _, u := range lengthUnits {
		if strings.HasSuffix(num, u.suffix) {
			num, unit = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.unit
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a length (want a number and in, cm, mm, pt or px, like 3.5in): %w", s, ErrBadSize)
	}
	l := vg.Length(v) * unit
	if l < minSide || l > maxSide {
		return 0, fmt.Errorf("%q is out of range (from 1in to 100in): %w", s, ErrBadSize)
	}
	return l, nil
}

// ParseFontSize reads a font size in points, "10" or "10pt", from 4 to
// maxFontSize.
func ParseFontSize(s string) (vg.Length, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "pt")), 64)
	if err != nil || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is not a font size (want points, like 10): %w", s, ErrBadSize)
	}
	if v < 4 || v > maxFontSize {
		return 0, fmt.Errorf("%q is out of range (from 4 to %d points): %w", s, maxFontSize, ErrBadSize)
	}
	return vg.Length(v), nil
}
