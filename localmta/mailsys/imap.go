package mailsys

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"facteur/localmta/imapd"
	"facteur/localmta/mtatls"
	"facteur/localmta/mtausers"
	"facteur/mailstore"
)

// IMAPServer is the IMAP server of a mail system (package imapd) with its
// listeners: plain with STARTTLS, and implicit TLS.
type IMAPServer struct {
	srv       *imapd.Server
	ln, tlsLn net.Listener
}

// IMAPOptions are what ListenIMAP needs.
type IMAPOptions struct {
	Dir, Hostname string // the MTA directory (its tls/), the certificate's name
	Store         *mailstore.Store
	Users         mtausers.Users
	Addr, TLSAddr string // "" or Off: none
	Version       string // Facteur's version, for ID; "" means "dev"
	Logger        *slog.Logger
}

// ListenIMAP binds the IMAP listeners of opt; nil when both are off.
func ListenIMAP(ctx context.Context, opt IMAPOptions) (*IMAPServer, error) {
	on := func(a string) bool { return a != "" && a != Off }
	if !on(opt.Addr) && !on(opt.TLSAddr) {
		return nil, nil
	}
	tlsCfg, err := mtatls.ServerConfig(opt.Dir, opt.Hostname)
	if err != nil {
		return nil, fmt.Errorf("mta: imap certificate: %w", err)
	}
	srv, err := imapd.New(imapd.Config{Store: opt.Store, Users: opt.Users, TLS: tlsCfg,
		Version: opt.Version, Logger: opt.Logger})
	if err != nil {
		return nil, fmt.Errorf("mta: imap: %w", err)
	}
	s := &IMAPServer{srv: srv}
	var lc net.ListenConfig
	if on(opt.Addr) {
		if s.ln, err = lc.Listen(ctx, "tcp", opt.Addr); err != nil {
			s.Close()
			return nil, fmt.Errorf("mta: imap: %w", err)
		}
	}
	if on(opt.TLSAddr) {
		if s.tlsLn, err = lc.Listen(ctx, "tcp", opt.TLSAddr); err != nil {
			s.Close()
			return nil, fmt.Errorf("mta: imaps: %w", err)
		}
	}
	return s, nil
}

// Serve starts the server loops with goServe, which runs each until ctx
// ends.
func (s *IMAPServer) Serve(ctx context.Context, goServe func(name string, serve func() error)) {
	if s.ln != nil {
		goServe("imap", func() error { return s.srv.Serve(ctx, s.ln) })
	}
	if s.tlsLn != nil {
		goServe("imaps", func() error { return s.srv.ServeTLS(ctx, s.tlsLn) })
	}
}

// Addrs returns the addresses listened on, "" for none.
func (s *IMAPServer) Addrs() (plain, implicitTLS string) {
	if s == nil {
		return "", ""
	}
	if s.ln != nil {
		plain = s.ln.Addr().String()
	}
	if s.tlsLn != nil {
		implicitTLS = s.tlsLn.Addr().String()
	}
	return plain, implicitTLS
}

// Sessions returns the open IMAP sessions and the latest ended ones.
func (s *IMAPServer) Sessions() []imapd.SessionInfo {
	if s == nil {
		return nil
	}
	return s.srv.Sessions()
}

// Close closes the listeners and ends every session.
func (s *IMAPServer) Close() error {
	if s == nil {
		return nil
	}
	for _, ln := range []net.Listener{s.ln, s.tlsLn} {
		if ln != nil {
			ln.Close()
		}
	}
	return s.srv.Close()
}
