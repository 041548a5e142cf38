//go:build windows

package account

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// ownerOnly gives path a protected DACL (no ACE inherited from the
// folder) that lets only the current user in: Windows ignores the 0600
// mode, and a file would otherwise take the ACL of its folder, which
// another user or a group may read.
func ownerOnly(path string) error {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return fmt.Errorf("account: current user: %w", err)
	}
	sd, err := windows.SecurityDescriptorFromString("D:P(A;;FA;;;" + user.User.Sid.String() + ")")
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	err = windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
	if err != nil {
		return fmt.Errorf("account: owner-only access to %s: %w", path, err)
	}
	return nil
}
