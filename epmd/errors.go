package epmd

import "errors"

// Sentinel errors. Every error returned by this package that has one of
// these causes wraps it, so callers test with errors.Is.
var (
	// ErrNotRegistered means EPMD answered that no node of that name is
	// registered (PORT2_RESP with a non-zero result).
	ErrNotRegistered = errors.New("epmd: name not registered")

	// ErrNameTaken means EPMD refused an ALIVE2_REQ (result > 0). OTP's
	// epmd uses one result code for every refusal; since the client
	// validates names before sending, a refusal nearly always means that
	// the name is already registered.
	ErrNameTaken = errors.New("epmd: name already registered")

	// ErrUnreachable means no EPMD could be reached: the TCP connection
	// was refused or could not be set up, or was reset before EPMD
	// answered anything (a listening socket on its way out: nobody
	// accepted the connection). It is the signal Publish uses to start an
	// embedded server.
	ErrUnreachable = errors.New("epmd: unreachable")

	// ErrInvalidName means a node name is empty, longer than 255
	// characters, not UTF-8 or contains a NUL byte. EPMD refuses such
	// names, so the client does not send them.
	ErrInvalidName = errors.New("epmd: invalid node name")

	// ErrProtocol means EPMD sent something this package cannot parse,
	// or closed the connection before answering (OTP's epmd closes
	// silently on requests it rejects, e.g. ALIVE2 from a remote host).
	ErrProtocol = errors.New("epmd: protocol error")

	// ErrServerClosed is returned by Server.Serve and
	// Server.ListenAndServe after Close.
	ErrServerClosed = errors.New("epmd: server closed")

	// ErrKilled is returned by Server.Serve when the server stopped
	// because it accepted a KILL_REQ (only possible while no node is
	// registered, or with RelaxedCommandCheck).
	ErrKilled = errors.New("epmd: server killed by KILL_REQ")

	// ErrMalformed is the cause of every ParseRequest error.
	ErrMalformed = errors.New("epmd: malformed request")
)
