package htmldoc

import (
	"strconv"
	"strings"
)

// styleProps are the CSS properties that the sanitizer keeps in a style
// attribute (CSS 2.1 and CSS Text/Color Level 3 names): those that change
// how the text reads, those that hide it, and those that tell a quote or a
// tracking image. Everything else (positions, backgrounds, fonts loaded
// from a URL...) goes.
var styleProps = map[string]bool{
	"color": true, "font-weight": true, "font-style": true, "font-family": true,
	"text-decoration": true, "text-decoration-line": true, "text-align": true,
	"direction": true, "display": true, "visibility": true, "mso-hide": true,
	"width": true, "height": true, "max-height": true, "opacity": true,
	"border-left": true, "border-left-style": true, "border-left-width": true,
}

// declaration is one property: value of a style attribute.
type declaration struct{ prop, value string }

// parseStyle reads the declarations of a style attribute, lower case,
// without !important; it never fails (what it cannot read is skipped).
func parseStyle(s string) []declaration {
	var out []declaration
	for len(s) > 0 && len(out) < 64 {
		var d string
		d, s, _ = strings.Cut(s, ";")
		prop, value, ok := strings.Cut(d, ":")
		if !ok {
			continue
		}
		prop = strings.ToLower(strings.TrimSpace(prop))
		value = strings.ToLower(strings.TrimSpace(value))
		value = strings.TrimSpace(strings.TrimSuffix(value, "!important"))
		if prop != "" && value != "" {
			out = append(out, declaration{prop, value})
		}
	}
	return out
}

// safeValue refuses values that could load something or escape the
// declaration: url(), expression(), image-set(), escapes, comments.
func safeValue(v string) bool {
	if len(v) > 200 {
		return false
	}
	for _, bad := range []string{"url", "expression", "image", "\\", "/*", "@", "<", ">", "{", "}"} {
		if strings.Contains(v, bad) {
			return false
		}
	}
	return true
}

// cleanStyle keeps the allowed declarations of a style attribute, with
// safe values, written back as "prop: value; ...". "" means nothing stays.
func cleanStyle(s string) string {
	var b strings.Builder
	for _, d := range parseStyle(s) {
		if !styleProps[d.prop] || !safeValue(d.value) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(d.prop + ": " + d.value)
	}
	return b.String()
}

// styleInfo is what the conversion takes from a style attribute.
type styleInfo struct {
	hidden      bool
	add, remove Style
	color       Color
	align       Align
	alignSet    bool
	rtl, ltr    bool
	width       int // px, 0 when not given
	height      int
	quoteBorder bool // a solid left border: Outlook's quoted text
}

// readStyle interprets the (sanitized) declarations of a style attribute.
func readStyle(s string) styleInfo {
	var si styleInfo
	for _, d := range parseStyle(s) {
		si.apply(d)
	}
	return si
}

func (si *styleInfo) apply(d declaration) {
	switch d.prop {
	case "display":
		si.hidden = si.hidden || d.value == "none"
	case "visibility":
		si.hidden = si.hidden || d.value == "hidden"
	case "mso-hide":
		si.hidden = si.hidden || d.value == "all"
	case "max-height", "opacity":
		si.hidden = si.hidden || isZero(d.value)
	case "color":
		if c, ok := parseColor(d.value); ok {
			si.color = c
		}
	case "font-weight":
		si.fontWeight(d.value)
	case "font-style":
		si.setStyle(Italic, d.value == "italic" || d.value == "oblique", d.value == "normal")
	case "font-family":
		si.setStyle(Mono, monospaceFamily(d.value), false)
	case "text-decoration", "text-decoration-line":
		si.setStyle(Underline, strings.Contains(d.value, "underline"), d.value == "none")
		si.setStyle(Strike, strings.Contains(d.value, "line-through"), d.value == "none")
	case "text-align":
		si.align, si.alignSet = parseAlign(d.value)
	case "direction":
		si.rtl, si.ltr = d.value == "rtl", d.value == "ltr"
	case "width":
		si.width = pixels(d.value)
	case "height":
		si.height = pixels(d.value)
	case "border-left", "border-left-style":
		si.quoteBorder = strings.Contains(d.value, "solid") && !strings.Contains(d.value, "none") && !isZero(strings.Fields(d.value)[0])
	}
}

func (si *styleInfo) fontWeight(v string) {
	n, err := strconv.Atoi(v)
	bold := v == "bold" || v == "bolder" || err == nil && n >= 600
	si.setStyle(Bold, bold, v == "normal" || v == "lighter" || err == nil && n < 600)
}

func (si *styleInfo) setStyle(s Style, on, off bool) {
	switch {
	case on:
		si.add |= s
	case off:
		si.remove |= s
	}
}

func parseAlign(v string) (Align, bool) {
	switch v {
	case "center", "middle", "-webkit-center":
		return AlignCenter, true
	case "right":
		return AlignRight, true
	case "left":
		return AlignLeft, true
	case "end":
		return AlignEnd, true
	case "start", "justify":
		return AlignStart, true
	}
	return AlignStart, false
}

// monospaceFamily reports a font-family list whose first font is
// monospace.
func monospaceFamily(v string) bool {
	first, _, _ := strings.Cut(v, ",")
	first = strings.Trim(strings.TrimSpace(first), `"'`)
	switch first {
	case "monospace", "courier", "courier new", "consolas", "menlo", "monaco",
		"lucida console", "dejavu sans mono", "liberation mono", "source code pro", "ui-monospace":
		return true
	}
	return false
}

// isZero reports a length or number that is zero ("0", "0px", "0.0pt").
func isZero(v string) bool {
	v = strings.TrimRight(v, "abcdefghijklmnopqrstuvwxyz%")
	f, err := strconv.ParseFloat(v, 64)
	return err == nil && f == 0
}

// pixels reads a length in pixels ("1px", "1"); 0 when it is not one.
func pixels(v string) int {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "px"))
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1e6 {
		return 0
	}
	if f > 0 && f < 1 {
		return 1
	}
	return int(f)
}
