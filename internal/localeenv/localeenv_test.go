package localeenv

import "testing"

func TestMend(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // LC_MESSAGES afterwards
	}{
		{"C.UTF-8 in LANG", map[string]string{"LANG": "C.UTF-8"}, "C"},
		{"POSIX.utf8 in LC_MESSAGES", map[string]string{"LC_MESSAGES": "POSIX.utf8"}, "C"},
		{"French kept", map[string]string{"LANG": "fr_FR.UTF-8"}, ""},
		{"plain C kept", map[string]string{"LANG": "C"}, ""},
		{"LC_ALL wins, untouched", map[string]string{"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}, ""},
		{"nothing set", map[string]string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = v
			}
			before := env["LC_MESSAGES"]
			Mend(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			got := env["LC_MESSAGES"]
			if tt.want == "" {
				tt.want = before
			}
			if got != tt.want {
				t.Fatalf("LC_MESSAGES = %q, want %q", got, tt.want)
			}
		})
	}
}
