//go:build unix

package dist

import "syscall"

// peerClosed reports whether the peer has closed its end: the socket
// holds an end of stream (or a reset) that the reader has not consumed
// yet. Only plain sockets can tell; anything else reports false.
func (c *Conn) peerClosed() bool {
	if c.raw == nil {
		return false
	}
	closed := false
	var b [1]byte
	_ = c.raw.Control(func(fd uintptr) {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = (n == 0 && err == nil) || err == syscall.ECONNRESET
	})
	return closed
}
