package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"facteur/mailstore"
	"facteur/mua/demo"
	"facteur/mua/filter"
)

const newsletter = "La Lettre du Facteur — novembre"

// filtersWin is the open Filters window.
func (h *harness) filtersWin() fyne.Window {
	h.t.Helper()
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		if w.Title() == "Filters" {
			return w
		}
	}
	h.t.Fatal("no Filters window")
	return nil
}

// tapButton taps the button of a window with that text.
func (h *harness) tapButton(w fyne.Window, text string) {
	h.t.Helper()
	var found *widget.Button
	walk(w.Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
	})
	if found == nil {
		h.t.Fatalf("no button %q", text)
	}
	test.Tap(found)
	h.settle()
}

// texts are the texts of the labels and entries drawn in a window.
func texts(w fyne.Window) []string {
	var out []string
	walk(w.Content(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.SelectEntry:
			out = append(out, x.Text)
		}
	})
	return out
}

func containsText(list []string, s string) bool {
	return slices.ContainsFunc(list, func(t string) bool { return strings.Contains(t, s) })
}

// inboxState is every INBOX message of the demo store with its folder and
// flags.
func (h *harness) inboxState() []string {
	h.t.Helper()
	ctx := context.Background()
	var out []string
	for _, name := range []string{"INBOX", "lettre"} {
		list, err := h.store.List(ctx, mailstore.FolderRef{Account: demo.Account, Name: name}, mailstore.ListOptions{})
		if err != nil {
			continue
		}
		for _, m := range list {
			out = append(out, fmt.Sprintf("%s %d %v", name, m.ID, m.Flags))
		}
	}
	return out
}

// TestFilterLikeThisTryAndSave: "Filter messages like this" (the
// message's context menu) opens the
// Filters window with a rule from the message's list; "Try on this
// folder" lists what each message would get and changes nothing; Save
// installs the script, read back as forms.
func TestFilterLikeThisTryAndSave(t *testing.T) {
	h := newHarness(t)
	h.open(newsletter)
	h.menuItem2(newsletter, "Filter messages like this…") // the message's context menu
	h.settle()
	w := h.filtersWin()
	if got := texts(w); !slices.Contains(got, "List-Id") {
		t.Fatalf("the rule is not prefilled from the list: %q", got)
	}
	before := h.inboxState()
	h.tapButton(w, "Try on this folder")
	got := texts(w)
	if !containsText(got, "Dry run on Local/INBOX: 9 messages") {
		t.Fatalf("no dry run title: %q", got)
	}
	if !containsText(got, `List-Id "La Lettre du Facteur <lettre.facteur.example>"`) || !containsText(got, `file into "lettre"`) {
		t.Errorf("the dry run does not show the newsletter's rule and action: %q", got)
	}
	if !containsText(got, "keep in INBOX (implicit keep)") {
		t.Errorf("the dry run does not show the others kept: %q", got)
	}
	if after := h.inboxState(); !slices.Equal(before, after) {
		t.Fatalf("the dry run changed the store:\nbefore %q\nafter  %q", before, after)
	}
	h.tapButton(w, "Save")
	if !containsText(texts(w), "Saved") {
		t.Fatalf("not saved: %q", texts(w))
	}
	src, err := os.ReadFile(filepath.Join(h.c.opts.Profile, "filters", "Local.sieve"))
	if err != nil {
		t.Fatal(err)
	}
	rules, ok := filter.ParseRules(string(src))
	want := filter.FormRule{Field: "List-Id", Match: filter.MatchContains, Value: "lettre.facteur.example", Action: filter.ActMove, Arg: "lettre"}
	if !ok || len(rules) != 1 || rules[0] != want {
		t.Fatalf("saved rules %+v (%v), want %+v:\n%s", rules, ok, want, src)
	}
}

// TestFiltersHandWrittenScript: a script written by hand opens raw, with
// a note; Check tells where it is wrong; the forms do not overwrite it.
func TestFiltersHandWrittenScript(t *testing.T) {
	h := newHarness(t)
	dir := filepath.Join(h.c.opts.Profile, "filters")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	src := "require \"fileinto\";\nif header :contains \"Subject\" \"x\" { fileinto \"X\"; stop; }\n"
	if err := os.WriteFile(filepath.Join(dir, "Local.sieve"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	fw := h.c.showFilters(filter.LocalAccount, nil)
	h.settle()
	if fw.raw.Text != src || fw.tabs.Selected() != fw.rawTab || !fw.handNote.Visible() {
		t.Fatalf("raw %q, tab %v, note shown %v", fw.raw.Text, fw.tabs.Selected().Text, fw.handNote.Visible())
	}
	fw.raw.SetText("keep;\nfrobnicate;\n")
	h.tapButton(fw.win, "Check")
	if !strings.HasPrefix(fw.status.Text, "Local.sieve:2:1:") {
		t.Errorf("check of a broken script: %q", fw.status.Text)
	}
	fw.raw.SetText(src)
	h.tapButton(fw.win, "Check")
	if fw.status.Text != "The script is correct." {
		t.Errorf("check of a good script: %q", fw.status.Text)
	}
	fw.tabs.Select(fw.rulesTab) // stays raw: not an editor's script
	if fw.formsActive() {
		t.Error("a hand-written script shown as forms")
	}
	if s, err := fw.script(); err != nil || s != src {
		t.Errorf("script %q, %v", s, err)
	}
}

// TestFiltersFormsToRaw: the forms are written into the raw tab, and a
// bad form says which rule is wrong.
func TestFiltersFormsToRaw(t *testing.T) {
	h := newHarness(t)
	fw := h.c.showFilters(filter.LocalAccount, nil)
	h.settle()
	h.tapButton(fw.win, "Add rule")
	row := fw.rules[0]
	row.field.SetText("Subject")
	row.value.SetText("essai")
	row.action.SetSelected(filter.ActFlag)
	fw.tabs.Select(fw.rawTab)
	if !strings.Contains(fw.raw.Text, `if header :contains "Subject" "essai" { addflag "\\Flagged"; }`) {
		t.Fatalf("raw script:\n%s", fw.raw.Text)
	}
	fw.tabs.Select(fw.rulesTab)
	if len(fw.rules) != 1 || fw.rules[0].rule().Value != "essai" {
		t.Fatalf("forms read back: %d rules", len(fw.rules))
	}
	fw.rules[0].value.SetText("")
	h.tapButton(fw.win, "Check")
	if !strings.Contains(fw.status.Text, "rule 1: nothing to look for") {
		t.Errorf("check of an empty rule: %q", fw.status.Text)
	}
}
