package inspect

import (
	"strconv"
	"strings"

	"facteur/internal/ascii"
)

// TLS is what a Received field says about the TLS session of a hop.
// Any field may be empty: Microsoft writes only "(TLS)", Exim puts the
// version in a comment and the cipher in a tls clause.
type TLS struct {
	// Version normalised to the OpenSSL spelling: "TLSv1.3", "TLSv1.2",
	// "SSLv3"; an unusual value ("TLSv1/SSLv3") is kept as written.
	Version string `json:"version,omitempty"`
	Cipher  string `json:"cipher,omitempty"` // as written, e.g. "TLS_AES_256_GCM_SHA384"
	Bits    int    `json:"bits,omitempty"`   // symmetric key size, 0 when not written
	Verify  string `json:"verify,omitempty"` // Sendmail's verify= (NO, NOT, OK, FAIL)
	// Note holds a statement without details, e.g. "Google Transport Security".
	Note string `json:"note,omitempty"`
}

// tlsFrom reads the TLS details of one Received comment, in the forms of
// Postfix, Sendmail, Gmail, Microsoft, Exim, Courier and qmail. ok is false
// when the comment is not about TLS.
func tlsFrom(c string) (t TLS, ok bool) {
	switch {
	case !mayBeTLS(c):
		return TLS{}, false
	case hasPrefixFold(c, "using "):
		return tlsPostfix(c), true
	case containsFold(c, "version=") || containsFold(c, "cipher="):
		return tlsKeyValue(c), true
	case strings.Contains(c, "TLS: ") || strings.Contains(c, "SSL: "):
		return tlsCourier(c), true
	case strings.Contains(c, " encrypted"):
		return tlsQmail(c), true
	case strings.EqualFold(c, "TLS") || strings.EqualFold(c, "SSL"):
		return TLS{Note: c}, true
	case strings.EqualFold(c, "Google Transport Security"):
		return TLS{Note: c}, true
	}
	return tlsExim(c)
}

// mayBeTLS is false for a comment that none of tlsFrom's forms can read,
// which it tells at little cost: each form starts with "using ", "TLS",
// "SSL", "Cipher " or "UNKNOWN:", has a '=' or ": ", or says " encrypted";
// the TCP-info and software comments, the usual ones, have none of these.
func mayBeTLS(c string) bool {
	return hasPrefixFold(c, "using ") || hasPrefixFold(c, "TLS") || hasPrefixFold(c, "SSL") ||
		hasPrefixFold(c, "Cipher ") || strings.HasPrefix(c, "UNKNOWN:") || strings.EqualFold(c, "Google Transport Security") ||
		strings.IndexByte(c, '=') >= 0 || strings.Contains(c, ": ") || strings.Contains(c, " encrypted")
}

// tlsPostfix reads "using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384
// (256/256 bits) key-exchange X25519 ...", and "using TLS 1.3 with cipher
// ..." as Go's tls.VersionName spells the version.
func tlsPostfix(c string) TLS {
	var buf [24]string
	f := appendFields(buf[:0], c)
	var t TLS
	switch {
	case len(f) > 2 && (strings.EqualFold(f[1], "TLS") || strings.EqualFold(f[1], "SSL")) && isVersionNumber(f[2]):
		t.Version = normTLSVersion(f[1] + f[2])
	case len(f) > 1:
		t.Version = normTLSVersion(f[1])
	}
	for i, w := range f {
		if strings.EqualFold(w, "cipher") && i+1 < len(f) && t.Cipher == "" {
			t.Cipher = f[i+1]
		}
		if strings.HasPrefix(w, "(") && t.Bits == 0 {
			t.Bits = leadingInt(w[1:])
		}
	}
	return t
}

// tlsKeyValue reads "version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384
// bits=256 verify=NO" (Sendmail), "version=TLS1_3 cipher=... bits=128/128"
// (Gmail) and "version=TLS1_2, cipher=..." (Microsoft, Mimecast).
func tlsKeyValue(c string) TLS {
	var t TLS
	for f := range strings.FieldsFuncSeq(c, func(r rune) bool { return r == ' ' || r == ',' }) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		switch strings.ToLower(k) {
		case "version":
			t.Version = normTLSVersion(v)
		case "cipher":
			t.Cipher = v
		case "bits":
			t.Bits = leadingInt(v)
		case "verify":
			t.Verify = v
		}
	}
	return t
}

// tlsCourier reads Courier's "AUTH: LOGIN alice, TLS: TLSv1/SSLv3,256bits,
// ECDHE-RSA-AES256-GCM-SHA384".
func tlsCourier(c string) TLS {
	_, rest, found := strings.Cut(c, "TLS: ")
	if !found {
		_, rest, _ = strings.Cut(c, "SSL: ")
	}
	var t TLS
	i := -1
	for f := range strings.SplitSeq(rest, ",") {
		i++
		f = strings.TrimSpace(f)
		switch {
		case i == 0:
			t.Version = normTLSVersion(f)
		case strings.HasSuffix(f, "bits"):
			t.Bits = leadingInt(f)
		case t.Cipher == "":
			t.Cipher = f
		}
	}
	return t
}

// tlsQmail reads qmail's "DHE-RSA-AES256-SHA encrypted, authenticated".
func tlsQmail(c string) TLS {
	cipher, _, _ := strings.Cut(c, " encrypted")
	return TLS{Cipher: strings.TrimSpace(cipher)}
}

// tlsExim reads Exim's comments: "TLS1.3" (4.92 and later, the cipher is in
// a tls clause), "TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256" (older),
// "TLS-1.0:RSA_ARCFOUR_MD5:16" (GnuTLS), "UNKNOWN:DHE-RSA-AES256-SHA:256"
// (no version), Exim 3's "Cipher TLSv1:DES-CBC3-SHA:168", and OpenSMTPD's
// "TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO" (the last part: verified).
func tlsExim(c string) (TLS, bool) {
	if hasPrefixFold(c, "Cipher ") {
		c = c[len("Cipher "):]
	}
	var buf [4]string
	parts, ok := splitColons(&buf, c)
	unknown := len(parts) == 3 && parts[0] == "UNKNOWN" && leadingInt(parts[2]) > 0
	if !ok || !isTLSVersion(parts[0]) && !unknown {
		return TLS{}, false
	}
	var t TLS
	if !unknown {
		t.Version = normTLSVersion(parts[0])
	}
	if len(parts) > 1 {
		t.Cipher = parts[1]
	}
	if len(parts) > 2 {
		t.Bits = leadingInt(parts[2])
	}
	if len(parts) > 3 {
		t.Verify = parts[3]
	}
	return t, true
}

// splitColons splits c around its colons into buf, without allocating;
// ok is false when c has more parts than buf holds.
func splitColons(buf *[4]string, c string) (parts []string, ok bool) {
	n := 0
	for {
		if n == len(buf) {
			return nil, false
		}
		part, rest, found := strings.Cut(c, ":")
		buf[n], n = part, n+1
		if !found {
			return buf[:n], true
		}
		c = rest
	}
}

// normTLSVersion turns "TLS1_3", "TLS1.3", "tlsv1.3" into "TLSv1.3" and
// "sslv3" into "SSLv3"; other values are returned as written.
func normTLSVersion(v string) string {
	var prefix, rest string
	switch {
	case hasPrefixFold(v, "TLS"):
		prefix, rest = "TLSv", strings.TrimPrefix(v[3:], "-")
	case hasPrefixFold(v, "SSL"):
		prefix, rest = "SSLv", v[3:]
	default:
		return v
	}
	if rest != "" && (rest[0] == 'v' || rest[0] == 'V') {
		rest = rest[1:]
	}
	if rest == "" {
		return v
	}
	if len(v) == len(prefix)+len(rest) && v[:len(prefix)] == prefix && isVersionNumber(rest) {
		return v // already spelt "TLSv1.3": no allocation
	}
	if common := commonVersion(prefix, rest); common != "" {
		return common // no allocation for the usual versions
	}
	rest = strings.ReplaceAll(rest, "_", ".")
	if rest == "" || !isVersionNumber(rest) {
		return v
	}
	return prefix + rest
}

// commonVersion returns the usual versions in their spelling, "" for others.
func commonVersion(prefix, rest string) string {
	if prefix == "SSLv" {
		if rest == "3" {
			return "SSLv3"
		}
		return ""
	}
	switch rest {
	case "1":
		return "TLSv1"
	case "1.0", "1_0":
		return "TLSv1.0"
	case "1.1", "1_1":
		return "TLSv1.1"
	case "1.2", "1_2":
		return "TLSv1.2"
	case "1.3", "1_3":
		return "TLSv1.3"
	}
	return ""
}

func isTLSVersion(v string) bool {
	n := normTLSVersion(v)
	return len(n) > 4 && (strings.HasPrefix(n, "TLSv") || strings.HasPrefix(n, "SSLv")) && isVersionNumber(n[4:])
}

func isVersionNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return s[0] != '.'
}

// merge fills the empty fields of t with those of o.
func (t *TLS) merge(o TLS) {
	if t.Version == "" {
		t.Version = o.Version
	}
	if t.Cipher == "" {
		t.Cipher = o.Cipher
	}
	if t.Bits == 0 {
		t.Bits = o.Bits
	}
	if t.Verify == "" {
		t.Verify = o.Verify
	}
	if t.Note == "" {
		t.Note = o.Note
	}
}

// String returns "TLSv1.3 TLS_AES_256_GCM_SHA384 256 bits", as much as known.
func (t TLS) String() string {
	var parts []string
	for _, s := range []string{t.Version, t.Cipher} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if t.Bits > 0 {
		parts = append(parts, strconv.Itoa(t.Bits)+" bits")
	}
	if len(parts) == 0 {
		if t.Note != "" {
			return t.Note
		}
		return "TLS"
	}
	return strings.Join(parts, " ")
}

// leadingInt returns the decimal number at the start of s, or 0.
func leadingInt(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 9; i++ {
		if s[i] < '0' || s[i] > '9' {
			break
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// containsFold tells whether s contains sub, ignoring ASCII case, without
// allocating.
func containsFold(s, sub string) bool { return indexFold(s, sub) >= 0 }

// indexFold returns the byte index of the first sub in s, ignoring case,
// or -1. Unlike strings.ToLower it keeps byte offsets valid on invalid UTF-8.
func indexFold(s, sub string) int {
	if sub == "" {
		return 0
	}
	// Spaces are frequent: for an ASCII " word", look for the byte after
	// the space (a fold of an ASCII sub is ASCII, byte for byte).
	skip := 0
	if len(sub) > 1 && sub[0] == ' ' && ascii.Is(sub) {
		skip = 1
	}
	lower, upper := lowerASCII(sub[skip]), upperASCII(sub[skip])
	for i := skip; i-skip+len(sub) <= len(s); i++ {
		j := indexEither(s[i:len(s)-len(sub)+skip+1], lower, upper) // the next possible start
		if j < 0 {
			return -1
		}
		i += j
		if k := i - skip; (skip == 0 || s[k] == ' ') && strings.EqualFold(s[k:k+len(sub)], sub) {
			return k
		}
	}
	return -1
}

// indexEither returns the index of the first a or b in s, or -1.
func indexEither(s string, a, b byte) int {
	i := strings.IndexByte(s, a)
	if a == b {
		return i
	}
	if i >= 0 {
		s = s[:i] // b only matters before it
	}
	if j := strings.IndexByte(s, b); j >= 0 {
		return j
	}
	return i
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
