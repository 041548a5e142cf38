package message

import "strings"

// maxLinks bounds Message.Links.
const maxLinks = 500

// addLink keeps web and mail links, once each.
func (p *parser) addLink(href string) {
	href = strings.TrimSpace(href)
	lower := strings.ToLower(href[:min(len(href), 8)])
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") &&
		!strings.HasPrefix(lower, "mailto:") && !strings.HasPrefix(lower, "ftp://") {
		return
	}
	if p.links == nil {
		p.links = make(map[string]bool)
	}
	if p.links[href] || len(p.msg.Links) >= maxLinks {
		return
	}
	p.links[href] = true
	p.msg.Links = append(p.msg.Links, strings.ToValidUTF8(href, "\uFFFD"))
}

// metaCharset finds the charset of a <meta> in the first KiB of an HTML
// document without declared charset.
func metaCharset(b []byte) string {
	b = b[:min(len(b), 1024)]
	for i := 0; i+8 < len(b); i++ {
		if b[i]|0x20 != 'c' || !strings.EqualFold(string(b[i:i+7]), "charset") {
			continue
		}
		j := i + 7
		for j < len(b) && (b[j] == ' ' || b[j] == '=' || b[j] == '"' || b[j] == '\'') {
			j++
		}
		k := j
		for k < len(b) && (isAlnum(b[k]) || b[k] == '-' || b[k] == '_' || b[k] == ':' || b[k] == '.') {
			k++
		}
		if k > j {
			return strings.ToLower(string(b[j:k]))
		}
	}
	return ""
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
