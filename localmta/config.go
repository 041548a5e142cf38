package localmta

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"facteur/internal/mtasts"
	"facteur/internal/sieve"
	"facteur/localmta/clientlimit"
	"facteur/localmta/mda"
	"facteur/localmta/mtausers"
	"facteur/localmta/queue"
	"facteur/mailstore"
)

// Listener is one address the SMTP server listens on.
type Listener struct {
	Addr       string // "127.0.0.1:2525"; port 0 picks a free one
	Submission bool   // RFC 6409 submission: AUTH required before MAIL
}

// RelayHost is a smarthost that takes all non-local mail (Postfix's
// relayhost): "[host]:port" without MX look-up, or "host" with one.
type RelayHost struct {
	Host       string
	Port       int  // 0 means 25 (587 is usual with AUTH)
	NoMX       bool // host given in brackets
	Username   string
	Password   string
	RequireTLS bool // refuse to send (and AUTH) without STARTTLS
}

// Config configures an MTA. Zero values mean the documented defaults.
type Config struct {
	// Dir is the MTA's directory (profile.Profile.MTADir()): queue/,
	// mail/ (mbox spool), tls/.
	Dir string
	// Hostname is this host's name in greetings, Received lines and
	// bounces; "" means os.Hostname().
	Hostname string
	// MyNames are other names of this host (its MX names): an MX record
	// naming one of them points back at this host.
	MyNames []string
	// Listeners; nil means 127.0.0.1:2525 (SMTP) and 127.0.0.1:2587
	// (submission).
	Listeners []Listener
	// LocalDomains are delivered here; nil means Hostname and "localhost".
	LocalDomains []string
	// LocalUsers lists the logins that have a mailbox; the users of
	// Users (the AUTH table) have one too.
	LocalUsers []string
	// Users is the AUTH table: login -> password (see mtausers.Load).
	Users mtausers.Users
	// Authenticate, when set, checks AUTH credentials instead of Users.
	Authenticate func(username, password string) error
	// Aliases and Transports: /etc/aliases and transport_maps.
	Aliases    Aliases
	Transports TransportTable
	// RelayHost, when set, takes all non-local mail.
	RelayHost *RelayHost
	// RelayNets are the client networks allowed to relay without AUTH;
	// nil means loopback only, an empty non-nil slice means none.
	RelayNets []netip.Prefix
	// DNSServer is the resolver's server ("127.0.0.1:5353"); "" means the
	// system's. DNSTimeout bounds one query; 0 means 5 s.
	DNSServer  string
	DNSTimeout time.Duration
	// MXPort is the port of the MX hosts; 0 means 25 (tests set another).
	MXPort int
	// SourceIP, when valid, is the local address of outgoing connections.
	SourceIP netip.Addr
	// RootCAs verify the certificates of MX hosts whose domain has an
	// MTA-STS policy (RFC 8461 §4.2), and of the policy servers; nil means
	// the system's roots.
	RootCAs *x509.CertPool
	// MTASTS tunes the fetches of MTA-STS policies (a dialer, limits); its
	// RootCAs default to RootCAs. Tests point its dialer at a loopback
	// policy server.
	MTASTS mtasts.Options
	// Store, when set, receives local mail in Local/INBOX; otherwise local
	// mail goes to mbox spool files Dir/mail/<login>.
	Store *mailstore.Store
	// MDA overrides the local delivery target.
	MDA mda.Target
	// Filters, when set, are the profile's filters: the Local account's
	// script runs at delivery into Store (filter.go); nil runs none.
	Filters *sieve.Scripts
	// TLS is the server's certificate; nil means a self-signed ECDSA one
	// generated on first start under Dir/tls.
	TLS *tls.Config
	// MaxMessageBytes (SIZE); 0 means 25 MB. MaxRecipients; 0 means 1000.
	MaxMessageBytes int64
	MaxRecipients   int
	// Timeouts of a server command and of a whole DATA; 0 means 5 and 10 min.
	CommandTimeout, DataTimeout time.Duration
	// MaxReceived: more Received lines bounce as a loop; 0 means 50.
	MaxReceived int
	// MaxConnections and MaxClientConnections limit the open SMTP
	// connections in all and per client (IPv4 address, IPv6 /64); the
	// excess is answered 421 4.7.0 and closed at once. 0 means 500 and 50
	// (Postfix's smtpd_client_connection_count_limit), negative means no
	// limit. Clients in RelayNets have no limit of their own.
	MaxConnections, MaxClientConnections int
	// SoftErrorLimit and HardErrorLimit, as Postfix's
	// smtpd_soft_error_limit and smtpd_hard_error_limit: after so many
	// errors on a connection (refused recipients, refused MAIL, failed
	// AUTH) every reply waits ErrorDelay, and the error that reaches the
	// hard limit ends the connection with 421 4.7.0. 0 means 10, 20 and
	// 1 s; a negative limit means none.
	SoftErrorLimit, HardErrorLimit int
	ErrorDelay                     time.Duration
	// AuthLimit slows down password guessing on AUTH: 1 s before each
	// failure is answered, 421 4.7.0 and the connection closed after 3
	// failures, and a client with 10 recent failures (forgotten at one a
	// minute) refused at once (see package clientlimit).
	AuthLimit clientlimit.LoginConfig
	// Sleep waits d or until ctx ends: the delays of AuthLimit and
	// ErrorDelay; nil means a timer. Tests inject one that does not wait.
	Sleep func(ctx context.Context, d time.Duration)
	// Outbox delivers the queued messages that carry their own smarthost
	// (queue.Message.Relay: a mail account's outbox) with the account's
	// SMTP submission (mua/submit); nil keeps them queued.
	Outbox queue.Deliverer
	// Queue options (backoff, lifetime...).
	Queue queue.Options
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

const (
	defaultMaxConns       = 500
	defaultMaxClientConns = 50
	defaultSoftErrors     = 10
	defaultHardErrors     = 20
	defaultMaxBytes       = 25 << 20
	defaultMaxRcpts       = 1000
	defaultMaxReceived    = 50
)

// withDefaults returns c with its defaults filled in.
func (c Config) withDefaults() Config {
	if c.Hostname == "" {
		c.Hostname, _ = os.Hostname()
		if c.Hostname == "" {
			c.Hostname = "localhost"
		}
	}
	c.Hostname = strings.ToLower(c.Hostname)
	if c.Listeners == nil {
		c.Listeners = []Listener{{Addr: "127.0.0.1:2525"}, {Addr: "127.0.0.1:2587", Submission: true}}
	}
	if c.LocalDomains == nil {
		c.LocalDomains = []string{c.Hostname, "localhost"}
	}
	if c.RelayNets == nil {
		c.RelayNets = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = defaultMaxBytes
	}
	if c.MaxRecipients == 0 {
		c.MaxRecipients = defaultMaxRcpts
	}
	if c.CommandTimeout == 0 {
		c.CommandTimeout = 5 * time.Minute
	}
	if c.DataTimeout == 0 {
		c.DataTimeout = 10 * time.Minute
	}
	if c.MaxReceived == 0 {
		c.MaxReceived = defaultMaxReceived
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = defaultMaxConns
	}
	if c.MaxClientConnections == 0 {
		c.MaxClientConnections = defaultMaxClientConns
	}
	if c.SoftErrorLimit == 0 {
		c.SoftErrorLimit = defaultSoftErrors
	}
	if c.HardErrorLimit == 0 {
		c.HardErrorLimit = defaultHardErrors
	}
	if c.ErrorDelay <= 0 {
		c.ErrorDelay = time.Second
	}
	if c.Sleep == nil {
		c.Sleep = clientlimit.Sleep
	}
	if c.AuthLimit.Sleep == nil {
		c.AuthLimit.Sleep = c.Sleep
	}
	if c.MXPort == 0 {
		c.MXPort = 25
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MTASTS.RootCAs == nil {
		c.MTASTS.RootCAs = c.RootCAs
	}
	if c.Queue.Hostname == "" {
		c.Queue.Hostname = c.Hostname
	}
	if c.Queue.Logger == nil {
		c.Queue.Logger = c.Logger
	}
	if c.MDA == nil {
		c.MDA = c.defaultMDA()
	}
	return c
}

func (c Config) defaultMDA() mda.Target {
	if c.Store != nil {
		return &mda.Store{Store: c.Store}
	}
	return &mda.Mbox{Dir: filepath.Join(c.Dir, "mail")}
}

// QueueDir returns the queue directory of an MTA directory, for the
// commands that read the queue without a running MTA.
func QueueDir(mtaDir string) string { return filepath.Join(mtaDir, "queue") }
