package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"time"
)

// loopbackPair returns both ends of one TCP connection over 127.0.0.1.
func loopbackPair(ctx context.Context) (client, server net.Conn, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			c = nil
		}
		accepted <- c
	}()
	var d net.Dialer
	client, err = d.DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		ln.Close()
		<-accepted
		return nil, nil, err
	}
	server = <-accepted
	if server == nil {
		client.Close()
		return nil, nil, errors.New("loopback accept failed")
	}
	return client, server, nil
}

// closeOnCancel closes the connections when ctx ends, so a blocked read or
// write returns; stop ends the watch.
func closeOnCancel(ctx context.Context, conns ...net.Conn) (stop func() bool) {
	return context.AfterFunc(ctx, func() {
		for _, c := range conns {
			c.Close()
		}
	})
}

// runTCPLimit is the loopback TCP limit: c.N writes of MsgBytes from one
// goroutine, read by another into a 64 KiB buffer; the time from the
// first write until the reader has every byte.
func runTCPLimit(ctx context.Context, c Case) (Result, error) {
	cl, srv, err := loopbackPair(ctx)
	if err != nil {
		return Result{}, err
	}
	defer cl.Close()
	defer srv.Close()
	defer closeOnCancel(ctx, cl, srv)()
	total := int64(c.N) * int64(c.Workload.MsgBytes)
	read := make(chan error, 1)
	start := time.Now()
	go func() {
		n, err := io.CopyBuffer(io.Discard, io.LimitReader(srv, total), make([]byte, 64<<10))
		if err == nil && n != total {
			err = fmt.Errorf("read %d of %d bytes", n, total)
		}
		read <- err
	}()
	msg := make([]byte, c.Workload.MsgBytes)
	for range c.N {
		if _, err := cl.Write(msg); err != nil {
			return Result{}, err
		}
	}
	if err := <-read; err != nil {
		return Result{}, err
	}
	return Result{Elapsed: time.Since(start), Ops: int64(c.N)}, nil
}

// runTCPPingPong is the TCP ping-pong floor: c.N round trips of one byte
// over one loopback connection (TCP_NODELAY, Go's default), an echo
// goroutine on the far end.
func runTCPPingPong(ctx context.Context, c Case) (Result, error) {
	cl, srv, err := loopbackPair(ctx)
	if err != nil {
		return Result{}, err
	}
	defer cl.Close()
	defer srv.Close()
	defer closeOnCancel(ctx, cl, srv)()
	go func() {
		b := make([]byte, 1)
		for {
			if _, err := io.ReadFull(srv, b); err != nil {
				return
			}
			if _, err := srv.Write(b); err != nil {
				return
			}
		}
	}()
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
