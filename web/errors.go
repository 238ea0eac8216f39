package web

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrBadRequest: a term given to ParseRequest is not a web request.
	ErrBadRequest = errors.New("web: bad request term")
	// ErrBadReply: a worker answered something that is not a response
	// (the client gets 502).
	ErrBadReply = errors.New("web: bad reply from worker")
	// ErrNotRunning: the handler's process is not running (the client
	// gets 503).
	ErrNotRunning = errors.New("web: handler process not running")
	// ErrClosed: the stream or WebSocket connection has ended.
	ErrClosed = errors.New("web: closed")
)

// StatusError is an error a WebWorker callback returns to answer with a
// given status; Error builds one. Any other error answers 500 without
// showing the error to the client.
type StatusError struct {
	Status int
	Text   string
}

// Error builds a *StatusError: return web.Error(404, "no such user").
func Error(status int, text string) error { return &StatusError{Status: status, Text: text} }

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("web: %d %s: %s", e.Status, http.StatusText(e.Status), e.Text)
}
