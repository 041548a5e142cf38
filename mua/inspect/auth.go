package inspect

import (
	"sort"
	"strings"

	"github.com/emersion/go-msgauth/authres"
)

// AuthResults is one Authentication-Results field (RFC 8601) or
// ARC-Authentication-Results field (RFC 8617 §4.1.1): the verdicts that the
// server named ServID reached when the message came in.
type AuthResults struct {
	Field    string `json:"field"`              // "Authentication-Results" or "ARC-Authentication-Results"
	Instance int    `json:"instance,omitempty"` // ARC instance i=, 0 for Authentication-Results
	ServID   string `json:"servid"`             // authserv-id: the server that checked
	// Position is the field's rank among the fields of its name, 1 being
	// the top one: the one added by the last server, normally the
	// recipient's own, the only one it should trust.
	Position int          `json:"position"`
	Results  []AuthResult `json:"results"`
	Raw      string       `json:"raw"`
	// Error tells why (part of) the field could not be read.
	Error string `json:"error,omitempty"`
}

// AuthMethod is an authentication method of RFC 8601 §2.7 and the IANA
// "Email Authentication Methods" registry.
type AuthMethod string

// The methods the report summarises.
const (
	MethodSPF   AuthMethod = "spf"
	MethodDKIM  AuthMethod = "dkim"
	MethodDMARC AuthMethod = "dmarc"
	MethodARC   AuthMethod = "arc"
	MethodIPRev AuthMethod = "iprev"
	MethodAuth  AuthMethod = "auth"
)

// AuthResult is one verdict: "spf=pass smtp.mailfrom=example.org".
type AuthResult struct {
	Method AuthMethod `json:"method"`
	Result string     `json:"result"` // pass, fail, softfail, neutral, none, temperror, permerror, policy
	Reason string     `json:"reason,omitempty"`
	// Props are the method's properties as written: "smtp.mailfrom",
	// "header.d", "header.from", "smtp.remote-ip" ...
	Props map[string]string `json:"props,omitempty"`
}

// parseAuthResults reads every Authentication-Results and
// ARC-Authentication-Results field of the header, top first.
func parseAuthResults(h *header) []AuthResults {
	var out []AuthResults
	for _, name := range []string{"Authentication-Results", "ARC-Authentication-Results"} {
		for i, v := range h.all(name) {
			out = append(out, parseAuthField(name, i+1, v))
		}
	}
	return out
}

// parseAuthField parses one field with go-msgauth's authres, after taking
// away the comments it does not skip and ARC's "i=N;" instance tag.
func parseAuthField(name string, pos int, value string) AuthResults {
	ar := AuthResults{Field: name, Position: pos, Raw: unfold(value)}
	v := strings.TrimSpace(stripComments(ar.Raw))
	if strings.EqualFold(name, "ARC-Authentication-Results") {
		ar.Instance, v = arcInstance(v)
	}
	id, results, err := authres.Parse(v)
	ar.ServID = id
	if err != nil {
		ar.Error = err.Error()
	}
	for _, r := range results {
		ar.Results = append(ar.Results, convertResult(r))
	}
	return ar
}

// arcInstance cuts "i=1; " from the front of an ARC field.
func arcInstance(v string) (int, string) {
	tag, rest, ok := strings.Cut(v, ";")
	k, n, isTag := strings.Cut(strings.TrimSpace(tag), "=")
	if !ok || !isTag || !strings.EqualFold(strings.TrimSpace(k), "i") {
		return 0, v
	}
	return leadingInt(strings.TrimSpace(n)), rest
}

// convertResult turns one authres result into an AuthResult.
func convertResult(r authres.Result) AuthResult {
	switch r := r.(type) {
	case *authres.SPFResult:
		return newResult(MethodSPF, r.Value, r.Reason, "smtp.mailfrom", r.From, "smtp.helo", r.Helo)
	case *authres.DKIMResult:
		return newResult(MethodDKIM, r.Value, r.Reason, "header.d", r.Domain, "header.i", r.Identifier)
	case *authres.DMARCResult:
		return newResult(MethodDMARC, r.Value, r.Reason, "header.from", r.From)
	case *authres.ARCResult:
		return newResult(MethodARC, r.Value, "", "smtp.remote-ip", r.RemoteIP)
	case *authres.IPRevResult:
		return newResult(MethodIPRev, r.Value, r.Reason, "policy.iprev", r.IP)
	case *authres.AuthResult:
		return newResult(MethodAuth, r.Value, r.Reason, "smtp.auth", r.Auth)
	case *authres.DomainKeysResult:
		return newResult("domainkeys", r.Value, r.Reason, "header.d", r.Domain, "header.from", r.From)
	case *authres.SenderIDResult:
		return newResult("sender-id", r.Value, r.Reason, "header."+strings.ToLower(r.HeaderKey), r.HeaderValue)
	case *authres.GenericResult:
		res := AuthResult{Method: AuthMethod(r.Method), Result: string(r.Value), Props: r.Params}
		res.Reason = res.Props["reason"]
		return res
	}
	return AuthResult{Method: "unknown"}
}

// newResult builds an AuthResult from key, value pairs; empty values are
// left out.
func newResult(m AuthMethod, v authres.ResultValue, reason string, kv ...string) AuthResult {
	r := AuthResult{Method: m, Result: string(v), Reason: reason}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if r.Props == nil {
			r.Props = map[string]string{}
		}
		r.Props[kv[i]] = kv[i+1]
	}
	return r
}

// Verdict returns the result of method in the top Authentication-Results
// field (the recipient's server), "" when it does not say.
func Verdict(all []AuthResults, m AuthMethod) string {
	for _, ar := range all {
		if ar.Field != "Authentication-Results" || ar.Position != 1 {
			continue
		}
		for _, r := range ar.Results {
			if r.Method == m {
				return r.Result
			}
		}
	}
	return ""
}

// propKeys returns the property names of r, sorted, for stable output.
func (r AuthResult) propKeys() []string {
	keys := make([]string, 0, len(r.Props))
	for k := range r.Props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
