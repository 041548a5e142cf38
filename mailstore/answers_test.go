package mailstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// An answer to an invitation is kept by account and event UID, replaced
// by a later one, and read again after the store is opened again, also
// from an index of version 6 (migrated: the table is created).
func TestAnswersSurviveReopen(t *testing.T) {
	ctx := context.Background()
	s, dir := openTest(t)
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	steps := []struct {
		account, uid string
		a            Answer
	}{
		{"Work", "ev-1@x", Answer{PartStat: "TENTATIVE", At: at}},
		{"Work", "ev-1@x", Answer{PartStat: "ACCEPTED", At: at.Add(time.Hour)}},
		{"Home", "ev-1@x", Answer{PartStat: "DECLINED", At: at}},
	}
	for _, st := range steps {
		if err := s.SetAnswer(ctx, st.account, st.uid, st.a); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetAnswer(ctx, "Work", "", Answer{PartStat: "ACCEPTED"}); err == nil {
		t.Error("an answer without UID was recorded")
	}
	s.Close()
	asVersion7(t, dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, indexFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 6`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct {
		account, uid string
		want         Answer
		ok           bool
	}{
		{"Work", "ev-1@x", Answer{PartStat: "ACCEPTED", At: at.Add(time.Hour)}, true},
		{"Home", "ev-1@x", Answer{PartStat: "DECLINED", At: at}, true},
		{"Work", "ev-2@x", Answer{}, false},
	} {
		got, ok, err := s.Answer(ctx, tc.account, tc.uid)
		if err != nil || ok != tc.ok || got.PartStat != tc.want.PartStat || !got.At.Equal(tc.want.At) {
			t.Errorf("Answer(%s, %s) = %+v, %v, %v; want %+v, %v", tc.account, tc.uid, got, ok, err, tc.want, tc.ok)
		}
	}
}
