//go:build windows

package account

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// TestCredentialsFileOwnerOnly: credentials.json lets only its owner in,
// whatever the folder's ACL.
func TestCredentialsFileOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	if err := OpenCredentials(dir, BackendFile).Set("work", "s3cret"); err != nil {
		t.Fatal(err)
	}
	sd, err := windows.GetNamedSecurityInfo(filepath.Join(dir, CredentialsFile), windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	want := "D:P(A;;FA;;;" + user.User.Sid.String() + ")"
	if got := sd.String(); !strings.HasSuffix(got, want) || strings.Count(got, "(") != 1 {
		t.Fatalf("security descriptor %s, want only %s", got, want)
	}
}
