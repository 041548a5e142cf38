package htmldoc

import (
	"net/url"
	"strings"
)

// trackingParams are query parameters that only tell the sender who
// clicked, and from which campaign: Google Analytics and Ads, Facebook,
// Microsoft, Mailchimp, HubSpot, Marketo, Matomo, Yandex, Instagram,
// TikTok, LinkedIn, Twitter, Vero, Omeda, Wicked Reports, ConvertKit.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "mc_eid": true, "mc_cid": true, "yclid": true, "ymclid": true, "igshid": true,
	"_hsenc": true, "_hsmi": true, "__hssc": true, "__hstc": true, "__hsfp": true,
	"hsctatracking": true, "mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true,
	"rb_clickid": true, "s_cid": true, "vero_id": true, "vero_conv": true, "wickedid": true,
	"_openstat": true, "twclid": true, "ttclid": true, "li_fat_id": true, "ck_subscriber_id": true,
	"ml_subscriber": true, "ml_subscriber_hash": true, "srsltid": true, "_ga": true, "_gl": true,
	"sc_cid": true, "mkt_tok_id": true,
}

// trackingPrefixes start the names of whole families of campaign
// parameters: Urchin (utm_), Matomo/Piwik (pk_, mtm_, piwik_), HubSpot
// ads (hsa_).
var trackingPrefixes = []string{"utm_", "pk_", "mtm_", "piwik_", "hsa_"}

// isTracking reports a tracking parameter name (case-insensitive).
func isTracking(name string) bool {
	name = strings.ToLower(name)
	if trackingParams[name] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// StripTracking removes the tracking parameters (see trackingParams) from
// the query of an http or https URL, and says how many it removed. The
// rest of the URL is kept byte for byte; other URLs are returned as they
// are.
func StripTracking(raw string) (string, int) {
	if !hasScheme(raw, "http") && !hasScheme(raw, "https") {
		return raw, 0
	}
	q := strings.IndexByte(raw, '?')
	if q < 0 {
		return raw, 0
	}
	end := len(raw)
	if h := strings.IndexByte(raw[q:], '#'); h >= 0 {
		end = q + h
	}
	var keep []string
	removed := 0
	for _, p := range strings.Split(raw[q+1:end], "&") {
		name, _, _ := strings.Cut(p, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if isTracking(name) {
			removed++
			continue
		}
		keep = append(keep, p)
	}
	if removed == 0 {
		return raw, 0
	}
	out := raw[:q]
	if len(keep) > 0 {
		out += "?" + strings.Join(keep, "&")
	}
	return out + raw[end:], removed
}

// LinkHint returns the host (or address) to show beside a link whose text
// looks like a web address or a mail address other than where the link
// goes: the hint against phishing ("paypal.com" that leads to
// evil.example). It returns "" when the text does not look like an
// address, or names the same host as the target (or a parent domain of
// it: "example.com" for https://www.example.com/).
func LinkHint(text, href string) string {
	text = strings.TrimSpace(text)
	if text == "" || strings.ContainsAny(text, " \t\n") {
		return ""
	}
	if hasScheme(href, "mailto") {
		return mailHint(text, href)
	}
	shown := textHost(text)
	if shown == "" {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	target := strings.ToLower(u.Hostname())
	if sameSite(shown, target) {
		return ""
	}
	return target
}

// mailHint compares a text that looks like a mail address with the
// address of a mailto: link.
func mailHint(text, href string) string {
	text = strings.TrimPrefix(strings.ToLower(text), "mailto:")
	if strings.Count(text, "@") != 1 || !strings.Contains(text[strings.IndexByte(text, '@'):], ".") {
		return ""
	}
	addr, _, _ := strings.Cut(href[len("mailto:"):], "?")
	if a, err := url.PathUnescape(addr); err == nil {
		addr = a
	}
	addr = strings.ToLower(strings.TrimSpace(addr))
	if addr == text || addr == "" {
		return ""
	}
	return addr
}

// textHost returns the host name that a link's text shows, or "" when it
// does not look like a web address: "https://x.example/a", "www.x.example",
// "x.example/path".
func textHost(text string) string {
	t := strings.ToLower(text)
	if hasScheme(t, "http") || hasScheme(t, "https") {
		u, err := url.Parse(t)
		if err != nil {
			return ""
		}
		return u.Hostname()
	}
	host, _, _ := strings.Cut(t, "/")
	host = strings.TrimSuffix(host, ".")
	dot := strings.LastIndexByte(host, '.')
	if dot <= 0 || strings.ContainsAny(host, "@:") || !isTLD(host[dot+1:]) {
		return ""
	}
	return host
}

// isTLD accepts what looks like a top-level domain: 2 to 24 letters, or
// an IDNA one (xn--).
func isTLD(s string) bool {
	if strings.HasPrefix(s, "xn--") {
		return true
	}
	if len(s) < 2 || len(s) > 24 {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// sameSite reports whether target is host shown, or under it, "www."
// aside.
func sameSite(shown, target string) bool {
	shown = strings.TrimPrefix(shown, "www.")
	target = strings.TrimPrefix(target, "www.")
	return shown == target || strings.HasSuffix(target, "."+shown)
}
