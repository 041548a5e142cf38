package localmta

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"facteur/localmta/tablefile"
)

// Aliases is an alias table in the format of /etc/aliases (sendmail(8),
// aliases(5)): "name: value, value" with continuation lines that start
// with a blank and '#' comments. A value is a local user, another alias or
// a remote address; a value naming the alias itself delivers to the user
// of that name (so "root: root, admin@remote" keeps a local copy).
// Programs ("|cmd"), files ("/path") and ":include:" are refused when the
// table is read: the local MTA runs no programs for the network.
type Aliases map[string][]string

// Errors of the alias table, for errors.Is.
var (
	ErrAliasSyntax = errors.New("aliases: syntax error")
	ErrAliasLoop   = errors.New("aliases: alias loop")
)

// LoadAliases reads an aliases file.
func LoadAliases(path string) (Aliases, error) {
	return tablefile.Load(path, ParseAliases)
}

// ParseAliases reads an alias table.
func ParseAliases(r io.Reader) (Aliases, error) {
	a := Aliases{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var entry string
	var lineNo, entryLine int
	flush := func() error {
		if strings.TrimSpace(entry) == "" {
			return nil
		}
		err := a.addEntry(entry)
		if err != nil {
			err = fmt.Errorf("line %d: %w", entryLine, err)
		}
		return err
	}
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if line != "" && (line[0] == ' ' || line[0] == '\t') {
			entry += " " + line
			continue
		}
		if err := flush(); err != nil {
			return nil, err
		}
		entry, entryLine = line, lineNo
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return a, nil
}

func (a Aliases) addEntry(entry string) error {
	name, values, ok := strings.Cut(entry, ":")
	name = strings.ToLower(strings.TrimSpace(name))
	if !ok || name == "" || strings.ContainsAny(name, " \t@\"") {
		return fmt.Errorf("%w: %q", ErrAliasSyntax, entry)
	}
	var list []string
	for v := range strings.SplitSeq(values, ",") {
		v = strings.Trim(strings.TrimSpace(v), "<>")
		switch {
		case v == "":
			continue
		case strings.HasPrefix(v, "|"), strings.HasPrefix(v, "/"), strings.HasPrefix(v, ":include:"):
			return fmt.Errorf("%w: %q: programs, files and includes are not supported", ErrAliasSyntax, v)
		case strings.ContainsAny(v, " \t\":"):
			return fmt.Errorf("%w: %q", ErrAliasSyntax, v)
		}
		list = append(list, v)
	}
	if len(list) == 0 {
		return fmt.Errorf("%w: %q has no value", ErrAliasSyntax, name)
	}
	a[name] = append(a[name], list...)
	return nil
}

// maxAliasDepth bounds nesting, as sendmail's MAXRCRSN.
const maxAliasDepth = 20

// AliasTarget is one final recipient of an alias expansion: a local
// mailbox name, or (Remote) an address of another domain that the table
// names. Only a value of the table is ever Remote: a name that is no
// alias is a mailbox even when it holds '@', '%' or '!', so a local part
// never turns into a remote destination (no relay through a local
// domain, RFC 5321 §3.6.1, §7.1).
type AliasTarget struct {
	Name   string
	Remote bool
}

// Expand returns the final recipients of a local name: local mailbox
// names and remote addresses. localPart tells whether an address with a
// domain is local and returns its local part. A name that is no alias
// expands to the mailbox of that name. A cycle that never reaches a
// mailbox is an ErrAliasLoop.
func (a Aliases) Expand(name string, localPart func(addr string) (string, bool)) ([]AliasTarget, error) {
	var out []AliasTarget
	seen := map[AliasTarget]bool{}
	err := a.expand(strings.ToLower(name), localPart, map[string]bool{}, seen, &out, 0)
	return out, err
}

func (a Aliases) expand(name string, localPart func(string) (string, bool), path map[string]bool, seen map[AliasTarget]bool, out *[]AliasTarget, depth int) error {
	values, ok := a[name]
	if !ok {
		addOnce(out, seen, AliasTarget{Name: name})
		return nil
	}
	if path[name] || depth > maxAliasDepth {
		return fmt.Errorf("%w: %s", ErrAliasLoop, name)
	}
	path[name] = true
	defer delete(path, name)
	for _, v := range values {
		target := strings.ToLower(v)
		if strings.Contains(v, "@") {
			lp, local := localPart(v)
			if !local {
				addOnce(out, seen, AliasTarget{Name: v, Remote: true})
				continue
			}
			target = strings.ToLower(lp)
		}
		if target == name { // "root: root, ...": the user's own mailbox
			addOnce(out, seen, AliasTarget{Name: name})
			continue
		}
		if err := a.expand(target, localPart, path, seen, out, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func addOnce(out *[]AliasTarget, seen map[AliasTarget]bool, t AliasTarget) {
	if !seen[t] {
		seen[t] = true
		*out = append(*out, t)
	}
}
