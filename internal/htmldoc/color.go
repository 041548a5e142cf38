package htmldoc

import (
	"math"
	"strconv"
	"strings"
)

// namedColors are the CSS colour keywords mail uses most (CSS Color Level
// 3 basic colours and a few extended ones).
var namedColors = map[string][3]uint8{
	"black": {0, 0, 0}, "silver": {192, 192, 192}, "gray": {128, 128, 128}, "grey": {128, 128, 128},
	"white": {255, 255, 255}, "maroon": {128, 0, 0}, "red": {255, 0, 0}, "purple": {128, 0, 128},
	"fuchsia": {255, 0, 255}, "magenta": {255, 0, 255}, "green": {0, 128, 0}, "lime": {0, 255, 0},
	"olive": {128, 128, 0}, "yellow": {255, 255, 0}, "navy": {0, 0, 128}, "blue": {0, 0, 255},
	"teal": {0, 128, 128}, "aqua": {0, 255, 255}, "cyan": {0, 255, 255}, "orange": {255, 165, 0},
	"darkred": {139, 0, 0}, "darkblue": {0, 0, 139}, "darkgreen": {0, 100, 0},
	"darkgray": {169, 169, 169}, "darkgrey": {169, 169, 169}, "lightgray": {211, 211, 211},
	"lightgrey": {211, 211, 211}, "dimgray": {105, 105, 105}, "dimgrey": {105, 105, 105},
	"brown": {165, 42, 42}, "crimson": {220, 20, 60}, "firebrick": {178, 34, 34},
	"royalblue": {65, 105, 225}, "steelblue": {70, 130, 180}, "darkorange": {255, 140, 0},
	"gold": {255, 215, 0}, "indigo": {75, 0, 130}, "violet": {238, 130, 238},
}

// parseColor reads a CSS or HTML colour: #rgb, #rrggbb (or without #, as
// <font color> is often written), rgb(r, g, b), rgba(...) and the named
// colours above.
func parseColor(v string) (Color, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	if rgb, ok := namedColors[v]; ok {
		return Color{rgb[0], rgb[1], rgb[2], true}, true
	}
	if strings.HasPrefix(v, "rgb") {
		return parseRGB(v)
	}
	hex := strings.TrimPrefix(v, "#")
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	if len(hex) != 6 {
		return Color{}, false
	}
	n, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return Color{}, false
	}
	return Color{uint8(n >> 16), uint8(n >> 8), uint8(n), true}, true
}

// parseRGB reads rgb(r, g, b) and rgba(r, g, b, a), numbers or
// percentages; a colour that is more than half transparent is refused.
func parseRGB(v string) (Color, bool) {
	open, close := strings.IndexByte(v, '('), strings.LastIndexByte(v, ')')
	if open < 0 || close < open {
		return Color{}, false
	}
	parts := strings.FieldsFunc(v[open+1:close], func(r rune) bool { return r == ',' || r == ' ' || r == '/' })
	if len(parts) < 3 || len(parts) > 4 {
		return Color{}, false
	}
	var c [3]uint8
	for i := range 3 {
		f, ok := channel(parts[i])
		if !ok {
			return Color{}, false
		}
		c[i] = uint8(math.Round(f))
	}
	if len(parts) == 4 {
		a, err := strconv.ParseFloat(strings.TrimSuffix(parts[3], "%"), 64)
		if err != nil || strings.HasSuffix(parts[3], "%") && a < 50 || !strings.HasSuffix(parts[3], "%") && a < 0.5 {
			return Color{}, false
		}
	}
	return Color{c[0], c[1], c[2], true}, true
}

func channel(s string) (float64, bool) {
	pct := strings.HasSuffix(s, "%")
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	if pct {
		f = f * 255 / 100
	}
	return math.Min(255, math.Max(0, f)), true
}

// luminance is the relative luminance of WCAG 2.1 (section 1.4.3).
func luminance(c Color) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// Contrast is the WCAG 2.1 contrast ratio of two colours, 1 to 21.
func Contrast(a, b Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// MinContrast is the contrast a text colour must keep against every
// background it may be drawn on: WCAG 2.1's 3:1 (no colour keeps its 4.5:1
// for normal text against both a white and a near-black background: the
// best one can do is about 4.2:1).
const MinContrast = 3

// Readable reports whether text of colour c stays readable on each of the
// backgrounds (the light and the dark theme's): its contrast with each is
// at least MinContrast.
func Readable(c Color, backgrounds ...Color) bool {
	if !c.Set {
		return false
	}
	for _, bg := range backgrounds {
		if Contrast(c, bg) < MinContrast {
			return false
		}
	}
	return true
}
