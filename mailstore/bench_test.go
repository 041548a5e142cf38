package mailstore

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"facteur/mailstore/internal/corpus"
)

// The benchmarks run on a generated corpus of FACTEUR_BENCH_N messages
// (default 10,000; the goals are stated for 100,000) in one Maildir folder,
// Local/INBOX. Generated once per process, removed by TestMain.
//
//	FACTEUR_BENCH_N=100000 go test -tags migrated_fynedo -run '^$' -bench . -benchtime 1x ./mailstore/

var bench struct {
	once sync.Once
	dir  string // profile directory holding the corpus
	n    int
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

func benchN() int {
	if n, err := strconv.Atoi(os.Getenv("FACTEUR_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 10000
}

// benchProfile returns a profile directory whose Local/INBOX holds the corpus.
func benchProfile(b *testing.B) string {
	b.Helper()
	bench.once.Do(func() {
		bench.n = benchN()
		if bench.dir, bench.err = os.MkdirTemp("", "facteur-bench-"); bench.err != nil {
			return
		}
		start := time.Now()
		bench.err = corpus.WriteMaildir(filepath.Join(bench.dir, "mail", "Local", "INBOX"), 1, bench.n)
		b.Logf("corpus of %d messages written in %v", bench.n, time.Since(start))
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.dir
}

func removeIndex(dir string) {
	for _, ext := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(dir, indexFile+ext))
	}
}

// BenchmarkIndex indexes the whole corpus with full text from scratch (what
// `notmuch new` does on a new database): Open finds no index and builds it.
func BenchmarkIndex(b *testing.B) {
	dir := benchProfile(b)
	ctx := context.Background()
	var elapsed, cpu time.Duration
	for b.Loop() {
		removeIndex(dir)
		start, cpu0 := time.Now(), cpuTime()
		s, err := Open(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		cpu += cpuTime() - cpu0
		if n, _, _ := s.Count(ctx, inbox); n != bench.n {
			b.Fatalf("indexed %d of %d", n, bench.n)
		}
		s.Close()
	}
	msgs := float64(bench.n) * float64(b.N)
	b.ReportMetric(msgs/elapsed.Seconds(), "msgs/s")
	if cpu > 0 {
		// Independent of other load on the machine: messages per CPU-second
		// (2 cores busy all the time would index twice this per second).
		b.ReportMetric(msgs/cpu.Seconds(), "msgs/cpu-s")
	}
}

// indexedStore opens the corpus store, indexing it if needed.
func indexedStore(b *testing.B) *Store {
	dir := benchProfile(b)
	s, err := Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if n, _, _ := s.Count(context.Background(), inbox); n != bench.n {
		b.Fatalf("store has %d of %d messages", n, bench.n)
	}
	return s
}

// BenchmarkRescanUnchanged re-scans a store in which nothing changed.
func BenchmarkRescanUnchanged(b *testing.B) {
	s := indexedStore(b)
	ctx := context.Background()
	for b.Loop() {
		st, err := s.Rescan(ctx, nil)
		if err != nil || st.Unchanged != bench.n {
			b.Fatalf("rescan: %+v %v", st, err)
		}
	}
}

// BenchmarkListFirstPage opens the folder: its first page of 100 rows;
// the after-release cases right after ReleaseMemory gave the page caches
// back (what the window does after its start-up rescan), the page read
// again from the file, not from the cache.
func BenchmarkListFirstPage(b *testing.B) {
	s := indexedStore(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name    string
		opt     ListOptions
		release bool
	}{
		{"date", ListOptions{Limit: 100}, false},
		{"sender", ListOptions{Sort: SortSender, Ascending: true, Limit: 100}, false},
		{"deep-page", ListOptions{Offset: bench.n * 9 / 10, Limit: 100}, false},
		{"threaded", ListOptions{Threaded: true, Limit: 100}, false},
		{"threaded-deep-page", ListOptions{Threaded: true, Offset: bench.n / 2, Limit: 100}, false},
		{"date-after-release", ListOptions{Limit: 100}, true},
		{"deep-page-after-release", ListOptions{Offset: bench.n * 9 / 10, Limit: 100}, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if bc.release {
					b.StopTimer()
					if err := s.ReleaseMemory(ctx); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				if bc.opt.Threaded {
					s.gen.Add(1) // measure without the cached thread order
				}
				list, err := s.List(ctx, inbox, bc.opt)
				if err != nil || len(list) != 100 {
					b.Fatalf("List: %d, %v", len(list), err)
				}
			}
		})
	}
}

// BenchmarkSearch runs typical queries over the whole store (first page).
func BenchmarkSearch(b *testing.B) {
	s := indexedStore(b)
	ctx := context.Background()
	for _, q := range []struct{ name, q string }{
		{"rare-word", "itinéraire "},
		{"common-word", "the "},
		{"two-words", "meeting budget "},
		{"phrase", `"please send" `},
		{"from", "from:alice "},
		{"prefix-as-you-type", "confer"},
		{"filters", "is:unread has:attachment "},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Search(ctx, q.q, SearchOptions{Limit: 100}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseRow measures the per-message work of the indexing workers
// (parse, decode, HTML to text), without SQLite.
func BenchmarkParseRow(b *testing.B) {
	g := corpus.New(1)
	msgs := make([][]byte, 1000)
	var size int64
	for i := range msgs {
		msgs[i] = g.Next().Data
		size += int64(len(msgs[i]))
	}
	b.SetBytes(size / int64(len(msgs)))
	i := 0
	for b.Loop() {
		parseRow(msgs[i%len(msgs)], time.Now(), nil, "")
		i++
	}
}

// BenchmarkImportMbox imports an mbox of the corpus into a new store: every
// message is written to its own Maildir file (fsynced) and indexed.
func BenchmarkImportMbox(b *testing.B) {
	n := benchN()
	path := filepath.Join(b.TempDir(), "corpus.mbox")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := corpus.WriteMbox(f, 2, n); err != nil {
		b.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	var elapsed, cpu time.Duration
	var peak uint64 // heap in use after each batch: flat whatever the mbox size
	for b.Loop() {
		dir := b.TempDir()
		s, err := Open(context.Background(), dir)
		if err != nil {
			b.Fatal(err)
		}
		start, cpu0 := time.Now(), cpuTime()
		is, err := s.Import(context.Background(), inbox, path, func(Progress) {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		})
		elapsed += time.Since(start)
		cpu += cpuTime() - cpu0
		if err != nil || is.Messages != n {
			b.Fatalf("imported %d of %d: %v", is.Messages, n, err)
		}
		s.Close()
	}
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "msgs/s")
	if cpu > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "msgs/cpu-s")
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkOpenFolders opens an indexed store and reads its folder list with
// counts: what the GUI does at start.
func BenchmarkOpenFolders(b *testing.B) {
	indexedStore(b).Close() // built and closed cleanly
	dir := benchProfile(b)
	ctx := context.Background()
	for b.Loop() {
		s, err := Open(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		if f, err := s.Folders(ctx); err != nil || len(f) != 1 || f[0].Total != bench.n {
			b.Fatalf("Folders: %+v %v", f, err)
		}
		s.Close()
	}
}

// BenchmarkSetFlagsAll gives every message of a 10,000-message folder a
// flag, then takes it away (two SetFlags of 10,000 ids per op): what a
// flag-only resync does when every flag changed on the server.
func BenchmarkSetFlagsAll(b *testing.B) {
	ctx := context.Background()
	const n = 10000
	s, ids := smallMessages(b, n)
	b.ResetTimer()
	cpu := cpuTime()
	for range b.N {
		if err := s.SetFlags(ctx, ids, FlagDraft, 0); err != nil {
			b.Fatal(err)
		}
		if err := s.SetFlags(ctx, ids, 0, FlagDraft); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time, less sensitive than wall time to a loaded machine
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}

// BenchmarkVirtual reads the first page and the counts of each virtual
// folder over the corpus (goal: under 50 ms each on 100,000 messages).
func BenchmarkVirtual(b *testing.B) {
	s := indexedStore(b)
	ctx := context.Background()
	for _, v := range Virtuals {
		b.Run(string(v)+"/list", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ListVirtual(ctx, v, ListOptions{Limit: 200}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(v)+"/count", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := s.CountVirtual(ctx, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// smallMessages opens a new store with n small messages in its inbox.
func smallMessages(b *testing.B, n int) (*Store, []int64) {
	b.Helper()
	s, err := Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	items := make([]AddItem, n)
	for i := range items {
		items[i] = AddItem{Folder: inbox, Data: testMsg{id: strconv.Itoa(i) + "@x", subject: "m", body: "b"}.bytes()}
	}
	ids := make([]int64, n)
	for i, r := range s.AddBatch(context.Background(), items) {
		if r.Err != nil {
			b.Fatal(r.Err)
		}
		ids[i] = r.ID
	}
	return s, ids
}

// BenchmarkLocateMany locates 10,000 messages in chunks of 250, as a
// resync of 10,000 flags does (SetFlagsEach's chunks), in one batch.
func BenchmarkLocateMany(b *testing.B) {
	ctx := context.Background()
	const n = 10000
	s, ids := smallMessages(b, n)
	bt, err := s.beginBatch(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer bt.rollback()
	b.ReportAllocs()
	for b.Loop() {
		found := 0
		for c := 0; c < n; c += 250 {
			m, err := s.locateMany(ctx, bt, ids[c:c+250])
			if err != nil {
				b.Fatal(err)
			}
			found += len(m)
		}
		if found != n {
			b.Fatalf("found %d of %d", found, n)
		}
	}
}
