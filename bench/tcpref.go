package bench

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"slices"
	"time"
)

// closeOnCancel closes the connections when ctx ends, so a blocked read or
// write returns; stop ends the watch.
func closeOnCancel(ctx context.Context, conns ...net.Conn) (stop func() bool) {
	return context.AfterFunc(ctx, func() {
		for _, c := range conns {
			c.Close()
		}
	})
}

// The reference server's modes, the first byte a client sends.
const (
	tcpModeEcho = 'e' // echo every byte back (ping-pong floor)
	tcpModeSink = 's' // read an 8-byte big-endian length, that many bytes, answer one byte (limit)
)

// serveTCPRef accepts reference connections on ln until it is closed: the
// far end of tcp-limit and tcp-pingpong, run by the go-go peer process so
// that the references cross two OS processes like the go-go rows.
func serveTCPRef(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			_ = serveTCPRefConn(c)
		}()
	}
}

func serveTCPRefConn(c net.Conn) error {
	var mode [1]byte
	if _, err := io.ReadFull(c, mode[:]); err != nil {
		return err
	}
	switch mode[0] {
	case tcpModeEcho:
		b := make([]byte, 1)
		for {
			if _, err := io.ReadFull(c, b); err != nil {
				return err
			}
			if _, err := c.Write(b); err != nil {
				return err
			}
		}
	case tcpModeSink:
		var hdr [8]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return err
		}
		total := int64(binary.BigEndian.Uint64(hdr[:]))
		n, err := io.CopyBuffer(io.Discard, io.LimitReader(c, total), make([]byte, 64<<10))
		if err != nil {
			return err
		}
		if n != total {
			return fmt.Errorf("sink: %d of %d bytes", n, total)
		}
		_, err = c.Write([]byte{1})
		return err
	}
	return fmt.Errorf("reference server: unknown mode %q", mode[0])
}

// dialTCPRef opens a reference connection to addr in mode.
func dialTCPRef(ctx context.Context, addr string, mode byte) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if _, err := c.Write([]byte{mode}); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// runTCPLimit is the loopback TCP limit: c.N writes of MsgBytes to the
// sink at addr; the time from the first write until the sink has answered
// that it read every byte.
func runTCPLimit(ctx context.Context, addr string, c Case) (Result, error) {
	cl, err := dialTCPRef(ctx, addr, tcpModeSink)
	if err != nil {
		return Result{}, err
	}
	defer cl.Close()
	defer closeOnCancel(ctx, cl)()
	var hdr [8]byte
	binary.BigEndian.PutUint64(hdr[:], uint64(c.N)*uint64(c.Workload.MsgBytes))
	start := time.Now()
	if _, err := cl.Write(hdr[:]); err != nil {
		return Result{}, err
	}
	msg := make([]byte, c.Workload.MsgBytes)
	for range c.N {
		if _, err := cl.Write(msg); err != nil {
			return Result{}, err
		}
	}
	if _, err := io.ReadFull(cl, hdr[:1]); err != nil {
		return Result{}, fmt.Errorf("sink answer: %w", err)
	}
	return Result{Elapsed: time.Since(start), Ops: int64(c.N)}, nil
}

// runTCPPingPong is the TCP ping-pong floor: c.N round trips of one byte
// to the echo at addr (TCP_NODELAY, Go's default).
func runTCPPingPong(ctx context.Context, addr string, c Case) (Result, error) {
	cl, err := dialTCPRef(ctx, addr, tcpModeEcho)
	if err != nil {
		return Result{}, err
	}
	defer cl.Close()
	defer closeOnCancel(ctx, cl)()
	lat := make([]int64, 0, c.N)
	b := []byte{42}
	start := time.Now()
	for range c.N {
		t0 := time.Now()
		if _, err := cl.Write(b); err != nil {
			return Result{}, err
		}
		if _, err := io.ReadFull(cl, b); err != nil {
			return Result{}, err
		}
		lat = append(lat, int64(time.Since(t0)))
	}
	el := time.Since(start)
	slices.Sort(lat)
	return Result{
		Elapsed: el, Ops: int64(c.N),
		P50: time.Duration(Percentile(lat, 50)), P90: time.Duration(Percentile(lat, 90)), P99: time.Duration(Percentile(lat, 99)),
	}, nil
}
