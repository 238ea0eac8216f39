package main

import (
	"context"
	"net"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/erlgo/erlgo/epmd"
)

func TestListenAddrs(t *testing.T) {
	tests := []struct {
		address string
		want    []string
	}{
		{"", []string{":4369"}},
		{"10.0.0.1", []string{"10.0.0.1:4369", "127.0.0.1:4369"}},
		{"127.0.0.1, 10.0.0.1", []string{"127.0.0.1:4369", "10.0.0.1:4369"}},
		{"::1", []string{"[::1]:4369"}},
	}
	for _, tt := range tests {
		got, err := listenAddrs(tt.address, 4369)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("listenAddrs(%q) = %v, %v; want %v", tt.address, got, err, tt.want)
		}
	}
	if _, err := listenAddrs("not-an-ip", 4369); err == nil {
		t.Error("bad address accepted")
	}
}

// TestRunEPMDStopsOnKill runs the subcommand and stops it the way
// `epmd -kill` stops epmd.
func TestRunEPMDStopsOnKill(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()

	done := make(chan error, 1)
	go func() { done <- runEPMD([]string{"-port", strconv.Itoa(port), "-address", "127.0.0.1"}) }()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := &epmd.Client{Port: port}
	for {
		if _, _, err := c.Names(ctx); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("subcommand exited early: %v", err)
		case <-ctx.Done():
			t.Fatal("subcommand never answered NAMES")
		case <-time.After(20 * time.Millisecond):
		}
	}
	ans, err := c.Kill(ctx)
	if err != nil || ans != "OK" {
		t.Fatalf("Kill = %q, %v", ans, err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("runEPMD: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("subcommand did not stop after KILL")
	}
}
