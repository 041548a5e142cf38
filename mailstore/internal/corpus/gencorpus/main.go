// Command gencorpus writes the benchmark corpus of package corpus, for the
// side-by-side runs of bench/ (Facteur against notmuch and others):
//
//	go run ./mailstore/internal/corpus/gencorpus -n 100000 -maildir /tmp/corpus/INBOX
//	go run ./mailstore/internal/corpus/gencorpus -n 100000 -mbox /tmp/corpus.mbox
//
// The same -seed and -n always give the same messages.
package main

import (
	"flag"
	"fmt"
	"os"

	"facteur/mailstore/internal/corpus"
)

func main() {
	n := flag.Int("n", 10000, "number of messages")
	seed := flag.Uint64("seed", 1, "seed of the generator")
	maildir := flag.String("maildir", "", "write a Maildir (cur, new, tmp) in this directory")
	mbox := flag.String("mbox", "", "write an mboxrd file")
	flag.Parse()
	if (*maildir == "") == (*mbox == "") {
		fmt.Fprintln(os.Stderr, "gencorpus: give one of -maildir DIR or -mbox FILE")
		os.Exit(2)
	}
	if err := run(*n, *seed, *maildir, *mbox); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}

func run(n int, seed uint64, maildir, mbox string) error {
	if maildir != "" {
		return corpus.WriteMaildir(maildir, seed, n)
	}
	f, err := os.Create(mbox)
	if err != nil {
		return err
	}
	if err := corpus.WriteMbox(f, seed, n); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
