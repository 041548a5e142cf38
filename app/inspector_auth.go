package app

import (
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"facteur/mua/inspect"
)

// The Authentication tab shows the SPF, DKIM and DMARC verdicts that servers
// wrote in Authentication-Results and ARC-Authentication-Results (the top
// one, the recipient's server, first), and the live DKIM verification that
// Resolve makes when DNS answers.

type authTab struct {
	summary *fyne.Container
	dkim    *fyne.Container
	fields  *fyne.Container
}

func newAuthTab() *authTab {
	return &authTab{summary: container.NewHBox(), dkim: container.NewVBox(), fields: container.NewVBox()}
}

func (t *authTab) content() fyne.CanvasObject {
	note := captionLabel()
	note.SetText(lang.L("Verdicts of the top Authentication-Results field: the one the recipient's server added, the only one to trust."))
	live := section(lang.L("DKIM, verified now"), lang.L("the signatures checked against the keys DNS publishes today"), t.dkim)
	return container.NewVScroll(sections(container.NewVBox(t.summary, note), live, t.fields))
}

// show draws the verdicts of r.
func (t *authTab) show(r *inspect.Report) {
	t.summary.RemoveAll()
	for _, m := range []inspect.AuthMethod{inspect.MethodSPF, inspect.MethodDKIM, inspect.MethodDMARC} {
		v := inspect.Verdict(r.Auth, m)
		t.summary.Add(keyLabel(strings.ToUpper(string(m))))
		t.summary.Add(container.NewCenter(newBadge(orDash(v), resultLevel(v))))
		t.summary.Add(widget.NewLabel(" "))
	}
	t.fields.RemoveAll()
	for i, a := range r.Auth {
		if i > 0 {
			t.fields.Add(widget.NewSeparator())
		}
		t.fields.Add(authCard(a))
	}
	if len(r.Auth) == 0 {
		t.fields.Add(iconRow(theme.InfoIcon(), lang.L("No Authentication-Results field: no server recorded SPF, DKIM or DMARC checks.")))
	}
	t.summary.Refresh()
	t.fields.Refresh()
}

// resultLevel colours a verdict.
func resultLevel(result string) markLevel {
	switch result {
	case "pass":
		return markGood
	case "fail", "permerror":
		return markBad
	case "softfail", "temperror", "neutral", "policy":
		return markWarn
	}
	return markInfo
}

// authCard is one Authentication-Results field: who checked, and each method.
func authCard(a inspect.AuthResults) fyne.CanvasObject {
	title := a.Field
	if a.Instance > 0 {
		title += " i=" + strconv.Itoa(a.Instance)
	}
	sub := lang.L("checked by {{.Server}}", map[string]any{"Server": orDash(a.ServID)})
	if a.Position == 1 && a.Instance == 0 {
		sub = lang.L("checked by {{.Server}}, the recipient's server", map[string]any{"Server": orDash(a.ServID)})
	}
	form := container.New(layout.NewFormLayout())
	for _, res := range a.Results {
		form.Add(keyLabel(string(res.Method)))
		detail := widget.NewLabel(joinNonEmpty(" · ", res.Reason, propsText(res.Props)))
		detail.Wrapping = fyne.TextWrapWord
		form.Add(container.NewBorder(nil, nil, container.NewCenter(newBadge(res.Result, resultLevel(res.Result))), nil, detail))
	}
	box := container.NewVBox(form)
	if a.Error != "" {
		box.Add(iconRow(theme.WarningIcon(), a.Error))
	}
	return section(title, sub, box)
}

// propsText is "header.d=example.org smtp.mailfrom=a@example.org", sorted.
func propsText(props map[string]string) string {
	parts := make([]string, 0, len(props))
	for k, v := range props {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// dkimState shows where the live verification is before any answer.
func (t *authTab) dkimState(s inspect.DNSState) {
	t.dkim.RemoveAll()
	switch s {
	case inspect.DNSRunning:
		t.dkim.Add(iconRow(theme.SearchIcon(), lang.L("Looking up…")))
	case inspect.DNSOffline:
		t.dkim.Add(iconRow(theme.WarningIcon(), lang.L("Offline: no DNS answer")))
	}
	t.dkim.Refresh()
}

// dkimChecks draws the live verifications.
func (t *authTab) dkimChecks(checks []inspect.DKIMCheck) {
	t.dkim.RemoveAll()
	for _, c := range checks {
		who := "d=" + c.Domain
		if c.Identifier != "" {
			who += " i=" + c.Identifier
		}
		detail := widget.NewLabel(joinNonEmpty(" · ", who, c.Error))
		detail.Wrapping = fyne.TextWrapWord
		t.dkim.Add(container.NewBorder(nil, nil, container.NewCenter(newBadge(c.Result, resultLevel(c.Result))), nil, detail))
	}
	t.dkim.Refresh()
}

// finishDKIM draws the final verifications, or why there were none; state
// is where DNS ended.
func (t *authTab) finishDKIM(r *inspect.Report, state inspect.DNSState) {
	t.dkimChecks(r.DNS.DKIM)
	switch {
	case !hasField(r.Headers.Fields, "DKIM-Signature"):
		t.dkim.Add(iconRow(theme.InfoIcon(), lang.L("The message has no DKIM signature.")))
	case state == inspect.DNSOffline:
		t.dkim.Add(iconRow(theme.WarningIcon(), lang.L("Offline: no DNS answer")))
	case r.DNS.DKIMNote != "":
		t.dkim.Add(iconRow(theme.WarningIcon(), r.DNS.DKIMNote)) // the verifier's own words
	}
	t.dkim.Refresh()
}

func hasField(fields []inspect.Field, name string) bool {
	for _, f := range fields {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}
