package app

import (
	"bufio"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/godbus/dbus/v5"

	"facteur/localmta/mailsys"
)

// trayRecorder is the app of a window with a system tray: it counts what
// the window asks of the tray.
type trayRecorder struct {
	fyne.App
	menus, icons int
}

func (r *trayRecorder) SetSystemTrayMenu(*fyne.Menu)    { r.menus++ }
func (r *trayRecorder) SetSystemTrayIcon(fyne.Resource) { r.icons++ }
func (r *trayRecorder) SetSystemTrayWindow(fyne.Window) {}

// The tray is set up once, before the event loop (useTray), and only when
// there is a tray host: Fyne starts fyne.io/systray only for a tray set
// before its loop, and systray's stop panicked on every quit otherwise.
func TestTrayOnlyWhenSetUpBeforeTheLoop(t *testing.T) {
	h := newHarness(t)
	rec := &trayRecorder{App: h.c.app}
	h.c.app = rec
	h.c.mta.run = &mtaRunner{} // the mail system started with the window
	h.c.setMTAStatus(mailsys.Status{State: mailsys.Running})
	if rec.menus != 0 || rec.icons != 0 {
		t.Fatalf("without a tray host the MTA's state went to the tray (%d menus, %d icons)", rec.menus, rec.icons)
	}
	h.c.useTray(rec)
	if rec.menus != 1 || rec.icons != 1 {
		t.Fatalf("useTray: %d menus, %d icons, want 1 and 1", rec.menus, rec.icons)
	}
	h.c.setMTAStatus(mailsys.Status{State: mailsys.Failed})
	if rec.menus != 2 {
		t.Fatalf("a new MTA state did not reach the tray (%d menus)", rec.menus)
	}
	h.c.close()
	h.c.setMTAStatus(mailsys.Status{State: mailsys.Stopped})
	if rec.menus != 2 || rec.icons != 2 {
		t.Fatalf("the tray was used after the window closed (%d menus, %d icons)", rec.menus, rec.icons)
	}
}

// trayAvailable asks a real D-Bus session whether a StatusNotifierWatcher
// owns its name.
func TestTrayAvailableAsksTheSessionBus(t *testing.T) {
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("no dbus-daemon on this machine")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/none")
	ctx := context.Background()
	if trayAvailable(ctx) {
		t.Fatal("a tray is available without a session bus")
	}
	cmd := exec.Command(daemon, "--session", "--nofork", "--print-address=1", "--address=unix:path="+t.TempDir()+"/bus")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", strings.TrimSpace(addr))
	if trayAvailable(ctx) {
		t.Fatal("a tray is available on a session bus without a StatusNotifierWatcher")
	}
	host, err := dbus.Connect(strings.TrimSpace(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	if reply, err := host.RequestName(trayWatcher, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName: %v %v", reply, err)
	}
	if !trayAvailable(ctx) {
		t.Fatal("no tray found while a StatusNotifierWatcher owns its name")
	}
}

// Quitting saves what was typed in an open composer since its last
// autosave.
func TestQuitSavesTheDraftsBeingTyped(t *testing.T) {
	h := newHarness(t)
	cm := h.newComposer()
	h.c.compose.saveWait = time.Hour // no autosave before the quit
	test.Type(cm.subject, "Typed just before quitting")
	if cm.draft.id != 0 {
		t.Fatal("the draft was saved before the quit")
	}
	h.c.close()
	got, n := draftWithSubject(drafts(t, h.store), "Typed just before quitting")
	if got.ID == 0 {
		t.Fatalf("after the quit Drafts has no draft with the text typed (%d autosaves)", n)
	}
}
