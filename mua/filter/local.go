package filter

import (
	"context"
	"errors"

	"facteur/mailstore"
)

// Local returns the actions of an account whose messages live only in the
// store (POP3, Local): folders are created when missing.
func Local(store *mailstore.Store, account string) Actions {
	return localActions{store: store, account: account}
}

type localActions struct {
	store   *mailstore.Store
	account string
}

func (l localActions) ref(name string) mailstore.FolderRef {
	return mailstore.FolderRef{Account: l.account, Name: name}
}

func (l localActions) ensure(ctx context.Context, name string) error {
	err := l.store.CreateFolder(ctx, l.ref(name), mailstore.RoleNone)
	if errors.Is(err, mailstore.ErrFolderExists) {
		return nil
	}
	return err
}

func (l localActions) SetFlags(ctx context.Context, ids []int64, add, del mailstore.Flags) error {
	return l.store.SetFlags(ctx, ids, add, del)
}

func (l localActions) Move(ctx context.Context, ids []int64, dest string) error {
	if err := l.ensure(ctx, dest); err != nil {
		return err
	}
	return l.store.Move(ctx, ids, l.ref(dest))
}

func (l localActions) Copy(ctx context.Context, ids []int64, dest string) ([]int64, error) {
	if err := l.ensure(ctx, dest); err != nil {
		return nil, err
	}
	var out []int64
	for _, id := range ids {
		sum, err := l.store.Get(ctx, id)
		if err != nil {
			return out, err
		}
		rc, err := l.store.Open(ctx, id)
		if err != nil {
			return out, err
		}
		cp, err := l.store.Add(ctx, l.ref(dest), rc, mailstore.AddOptions{Flags: sum.Flags, Envelope: sum.Envelope})
		rc.Close()
		if err != nil {
			return out, err
		}
		out = append(out, cp.ID)
	}
	return out, nil
}

func (l localActions) Delete(ctx context.Context, ids []int64) error {
	return l.store.Delete(ctx, ids)
}
