package filter

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"slices"
	"strings"
)

// FormRule is a common rule as the app's rules editor shows it: when a
// header field matches a value, do one thing. Rules writes Sieve from
// them; ParseRules reads back the scripts it wrote.
type FormRule struct {
	Field  string `json:"field"`  // "From", "To", "Subject", "List-Id" or another header
	Match  string `json:"match"`  // MatchContains, MatchIs or MatchMatches
	Value  string `json:"value"`  // what to look for
	Action string `json:"action"` // one of RuleActions
	Arg    string `json:"arg,omitempty"`
}

// The comparisons of a FormRule.
const (
	MatchContains = "contains"
	MatchIs       = "is"
	MatchMatches  = "matches" // wildcards * and ?
)

// The actions of a FormRule; Arg is the folder (move, copy), the address
// (forward) or the text of the reply.
const (
	ActMove    = "move to"
	ActCopy    = "copy to"
	ActRead    = "mark read"
	ActFlag    = "flag"
	ActDelete  = "delete"
	ActForward = "forward to"
	ActReply   = "reply with"
)

// Fields, Matches and RuleActions list the choices of the editor.
var (
	Fields      = []string{"From", "To", "Subject", "List-Id"}
	Matches     = []string{MatchContains, MatchIs, MatchMatches}
	RuleActions = []string{ActMove, ActCopy, ActRead, ActFlag, ActDelete, ActForward, ActReply}
)

// ErrRule: a form rule that cannot be written (empty value, bad field...).
var ErrRule = errors.New("filter: bad rule")

// rulesHeader starts every script the editor writes.
const rulesHeader = "# Written by Facteur's rules editor: each rule is the line after its\n# \"# rule:\" comment; edit the script by hand and the editor shows it raw.\n"

// NeedsArg reports whether an action takes an argument.
func NeedsArg(action string) bool {
	return action == ActMove || action == ActCopy || action == ActForward || action == ActReply
}

// check says what is wrong with a rule, numbered n from 1.
func (r FormRule) check(n int) error {
	bad := func(why string) error { return fmt.Errorf("%w %d: %s", ErrRule, n, why) }
	switch {
	case r.Field == "" || strings.ContainsAny(r.Field, ": \t\r\n") || !fieldNameChars(r.Field):
		return bad(fmt.Sprintf("%q is not a header name", r.Field))
	case r.Value == "":
		return bad("nothing to look for")
	case !slices.Contains(Matches, r.Match):
		return bad(fmt.Sprintf("unknown comparison %q", r.Match))
	case !slices.Contains(RuleActions, r.Action):
		return bad(fmt.Sprintf("unknown action %q", r.Action))
	case NeedsArg(r.Action) && strings.TrimSpace(r.Arg) == "":
		return bad(fmt.Sprintf("%s what?", r.Action))
	case r.Action == ActForward:
		if _, err := mail.ParseAddress(r.Arg); err != nil {
			return bad(fmt.Sprintf("%q is not an address", r.Arg))
		}
	}
	return nil
}

// fieldNameChars: a header field name is printable US-ASCII, no space
// (RFC 5322 §2.2; the colon is refused by the caller).
func fieldNameChars(s string) bool {
	for _, c := range s {
		if c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// quote is a Sieve quoted string (RFC 5228 §2.4.2).
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// test is the rule's Sieve test: address for From and To, header else.
func (r FormRule) test() string {
	if strings.EqualFold(r.Field, "From") || strings.EqualFold(r.Field, "To") {
		return fmt.Sprintf("address :all :%s %s %s", r.Match, quote(r.Field), quote(r.Value))
	}
	return fmt.Sprintf("header :%s %s %s", r.Match, quote(r.Field), quote(r.Value))
}

// command is the rule's action, and the extension it requires.
func (r FormRule) command() (string, string) {
	switch r.Action {
	case ActMove:
		return "fileinto " + quote(r.Arg) + ";", "fileinto"
	case ActCopy:
		return "fileinto :copy " + quote(r.Arg) + ";", "copy"
	case ActRead:
		return `addflag "\\Seen";`, "imap4flags"
	case ActFlag:
		return `addflag "\\Flagged";`, "imap4flags"
	case ActDelete:
		return "discard;", ""
	case ActForward:
		return "redirect :copy " + quote(r.Arg) + ";", "copy"
	default: // ActReply
		return "vacation :days 1 " + quote(r.Arg) + ";", "vacation"
	}
}

// Rules writes a Sieve script (RFC 5228) from form rules, in order: each
// matching rule acts, and a message no rule moves or deletes stays in
// INBOX.
func Rules(rules []FormRule) (string, error) {
	var req []string
	var body strings.Builder
	for i, r := range rules {
		if err := r.check(i + 1); err != nil {
			return "", err
		}
		cmd, ext := r.command()
		if ext == "copy" {
			req = append(req, "fileinto")
		}
		if ext != "" {
			req = append(req, ext)
		}
		js, err := json.Marshal(r)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&body, "# rule: %s\nif %s { %s }\n", js, r.test(), cmd)
	}
	slices.Sort(req)
	req = slices.Compact(req)
	out := rulesHeader
	if len(req) > 0 {
		out += "require [" + strings.Join(quoteAll(req), ", ") + "];\n"
	}
	return out + body.String(), nil
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = quote(s)
	}
	return out
}

// ParseRules reads back the form rules of a script that Rules wrote; ok is
// false when the script is not exactly such a script (written or edited by
// hand): the editor then shows it raw.
func ParseRules(src string) (rules []FormRule, ok bool) {
	if strings.TrimSpace(src) == "" {
		return nil, true
	}
	for line := range strings.Lines(src) {
		js, found := strings.CutPrefix(line, "# rule: ")
		if !found {
			continue
		}
		var r FormRule
		if json.Unmarshal([]byte(js), &r) != nil {
			return nil, false
		}
		rules = append(rules, r)
	}
	again, err := Rules(rules)
	if err != nil || again != src {
		return nil, false
	}
	return rules, true
}

// RuleLike is the rule "Filter messages like this" starts from: the
// message's mailing list when it has one, else its sender, moved to a
// folder named after it.
func RuleLike(header mail.Header) FormRule {
	if id := strings.TrimSpace(header.Get("List-Id")); id != "" {
		if i, j := strings.IndexByte(id, '<'), strings.LastIndexByte(id, '>'); i >= 0 && j > i {
			id = id[i+1 : j]
		}
		return FormRule{Field: "List-Id", Match: MatchContains, Value: id, Action: ActMove, Arg: listFolder(id)}
	}
	if from, err := mail.ParseAddress(header.Get("From")); err == nil {
		return FormRule{Field: "From", Match: MatchIs, Value: from.Address, Action: ActMove, Arg: from.Address}
	}
	subject := header.Get("Subject")
	if d, err := new(mime.WordDecoder).DecodeHeader(subject); err == nil {
		subject = d
	}
	return FormRule{Field: "Subject", Match: MatchContains, Value: strings.TrimSpace(subject), Action: ActMove}
}

// listFolder names a list's folder after the first label of its id
// ("golang-nuts" for golang-nuts.googlegroups.com).
func listFolder(id string) string {
	if i := strings.IndexByte(id, '.'); i > 0 {
		return id[:i]
	}
	return id
}
