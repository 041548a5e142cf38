package main

import (
	"os"
	"os/user"
	"strings"
)

// localLogin is the login of the user running Facteur: the mailbox of the
// Local account. It comes from the environment ($USER, $LOGNAME, or
// %USERNAME% on Windows), else from the account database (os/user: the
// passwd entry of the process's uid), as sendmail finds the sender of a
// process that services, containers and cron start without $USER; "user"
// only when neither knows.
func localLogin() string {
	for _, v := range []string{"USER", "LOGNAME", "USERNAME"} {
		if name := sanitizeLogin(os.Getenv(v)); name != "" {
			return name
		}
	}
	if u, err := user.Current(); err == nil {
		if name := sanitizeLogin(u.Username); name != "" {
			return name
		}
	}
	return "user"
}

// sanitizeLogin lower-cases a login and keeps the characters a mailbox
// name may hold; a Windows "DOMAIN\name" keeps its name.
func sanitizeLogin(name string) string {
	if i := strings.LastIndexAny(name, `\/`); i >= 0 {
		name = name[i+1:]
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return -1
	}, strings.ToLower(name))
}

// localAddress is the Local account's address, the default sender of
// `facteur sendmail`.
func localAddress() string { return localLogin() + "@localhost" }
